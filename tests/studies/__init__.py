"""Tests of pipeline.studies (a package: its module names repeat those of tests/walls)."""
