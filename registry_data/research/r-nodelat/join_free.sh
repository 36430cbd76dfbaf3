#!/bin/bash
# sql/design_space_map.sql over a run's fact parts directly (no view, so no dimension join): what the map costs when
# every column it reads is in the fact table (a run written with written_f64.patch). usage: join_free.sh RUN > OUT.sql
sed "s#select \* from node#select * from read_parquet('${1%/}/study=node/*/*.parquet', hive_partitioning = true, \
hive_types = {'study': VARCHAR, 'hardware': VARCHAR})#" "$(dirname "$0")/../../../sql/design_space_map.sql"
