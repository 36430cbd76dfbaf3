"""A query's answer through a relation (`con.sql(sql, params).to_arrow_table()`: the client binds the SELECT to describe
the relation, then binds it again to run it) against a DB-API result (`con.execute(sql, params)`, then its rows as
Arrow: one bind), on a confined connection each call, alternated; medians of wall and CPU s of the call (connection
aside), answers equal: `PYTHONPATH=TREE python query_paths.py RUN QUERY [N]`."""
import resource
import statistics
import sys
import time
import warnings

from pipeline.runs import database


def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


run, name = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 9
sql = database.query_path(name).read_text()
bound = database.typed_params(name, database.query_params(sql), {})
times: dict[str, list] = {"relation": [], "execute": []}
answers = {}
for _ in range(rounds):
    for how in times:
        con = database.confined(run, keys=database.names_keys_view(sql))
        w, c = time.perf_counter(), cpu()
        if how == "relation":
            table = con.sql(sql, params=bound).to_arrow_table()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                table = con.execute(sql, bound).to_arrow_table()
        times[how].append((time.perf_counter() - w, cpu() - c))
        answers[how] = table
        con.close()
for how, v in times.items():
    print(f"{name} {how}: wall {statistics.median(x for x, _ in v):.4f} s, "
          f"CPU {statistics.median(y for _, y in v):.4f} s (medians of {rounds}), {answers[how].num_rows} rows")
print("answers equal:", answers["relation"].equals(answers["execute"]))
