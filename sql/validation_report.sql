-- Validation report: how far predictions have been from published measurements, by group.
-- Grain: one row per grouping (all, metric, regime, hardware, framework) x group value.
-- Error is against the measured value (a range's midpoint); range_error is 0 inside a range.
-- reads: validation
-- param min_rows = 1: groups with fewer predicted rows are left out
with predicted as (
    select * from validation where predicted is not null
),

grouped as (
    select 'all' as grouping, 'all' as group_value, * from predicted
    union all select 'metric', metric, * from predicted
    union all select 'regime', coalesce(bound, 'unknown'), * from predicted
    union all select 'hardware', hardware, * from predicted
    union all select 'framework', framework, * from predicted
),

final as (
    select
        grouping, group_value,
        count(*) as rows,
        median(abs_error_pct) as median_abs_error_pct,
        quantile_cont(abs_error_pct, 0.9) as p90_abs_error_pct,
        median(error_pct) as median_signed_error_pct,
        avg(case when abs_error_pct <= 15 then 1.0 else 0.0 end) as share_within_15pct,
        avg(case when abs_error_pct <= 30 then 1.0 else 0.0 end) as share_within_30pct,
        median(abs(range_error_pct)) as median_abs_range_error_pct
    from grouped
    group by grouping, group_value
    having count(*) >= $min_rows
)

select * from final
order by case grouping when 'all' then 0 when 'metric' then 1 when 'regime' then 2 when 'hardware' then 3 else 4 end,
         group_value
