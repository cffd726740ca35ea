"""CLI of the air-quality app: ``citytwin air aqi|daily|episodes|forecast``. 空气质量。

Reads the twin (``AirQualityObserved`` stations), computes with :mod:`citytwin.air`, prints a
table or, with ``--json``, one JSON document.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from citytwin.air import forecast as air_forecast
from citytwin.air import report, source
from citytwin.cli._common import EXIT_CHECK_FAILED, console, data_dir, emit_json, err_console
from citytwin.errors import BadInputError
from citytwin.twin import Twin

air_app = typer.Typer(
    help="Air quality: AQI, daily products, episodes, forecasts. 空气质量。", no_args_is_help=True
)
forecast_app = typer.Typer(help="24-h-ahead PM2.5 forecasts. PM2.5 预报。", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StandardOption = Annotated[
    str | None,
    typer.Option(
        "--standard", help="HJ633-2012 or HJ633-2026 [default: by date, HJ633-2026 from 2026-03-01]."
    ),
]
MODEL_DIR = Path("models") / "air-forecast"


def _date(text: str, what: str) -> dt.date:
    return report.parse_day(text, what)


def _table(title: str, rows: list[dict], columns: list[str]) -> Table:
    table = Table(*columns, title=title)
    for r in rows:
        table.add_row(
            *[
                "" if r.get(c) is None else (f"{r[c]:.1f}" if isinstance(r[c], float) else str(r[c]))
                for c in columns
            ]
        )
    return table


def aqi(
    ctx: typer.Context,
    station: Annotated[str, typer.Option("--station", help="Station id (dongsi) or URN.")],
    day: Annotated[str, typer.Option("--day", help="Natural day in Asia/Shanghai, YYYY-MM-DD.")],
    standard: StandardOption = None,
    json: JsonOption = False,
) -> None:
    """Daily AQI of one station on one day, with its 24 hourly (real-time) values. 单站日AQI与逐时AQI。"""
    with Twin.open(data_dir(ctx)) as twin:
        result = report.station_day_report(twin, station, _date(day, "--day"), standard)
    if json:
        emit_json(result)
        return
    dd = result["daily"] or {}
    console.print(
        f"{result['station']} {result['day']} ({result['standard']}): AQI {dd.get('aqi', 'NA')} "
        f"{dd.get('category_zh') or ''} {dd.get('category_en') or ''}; primary {dd.get('primary') or '-'}"
    )
    console.print(_table("hourly 逐时", result["hourly"], ["observed_at", "aqi", "category_zh", "primary"]))


def daily(
    ctx: typer.Context,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Administrative code, e.g. 110101.")],
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (Asia/Shanghai).")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    standard: StandardOption = None,
    json: JsonOption = False,
) -> None:
    """Daily AQI of a jurisdiction (mean of its stations) and of each station. 辖区日AQI。"""
    first, last = _date(from_, "--from"), _date(to, "--to")
    with Twin.open(data_dir(ctx)) as twin:
        result = report.jurisdiction_report(twin, jurisdiction, first, last, standard)
    if json:
        emit_json(result)
        return
    columns = ["day", "standard", "aqi", "category_zh", "category_en", "primary", "pm25", "n_stations"]
    console.print(_table(f"{jurisdiction} daily AQI 日AQI", result["days"], columns))


def episodes(
    ctx: typer.Context,
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="Only this jurisdiction.")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    by: Annotated[str, typer.Option("--by", help="station or jurisdiction.")] = "jurisdiction",
    json: JsonOption = False,
) -> None:
    """Heavy-pollution episodes (daily AQI > 200) and the alert level each warrants. 重污染过程与预警级别。"""
    first = _date(from_, "--from") if from_ else None
    last = _date(to, "--to") if to else None
    with Twin.open(data_dir(ctx)) as twin:
        result = report.episodes_report(twin, jurisdiction, first, last, by)
    if json:
        emit_json(result)
        return
    key = "station_id" if by == "station" else "jurisdiction"
    columns = [key, "start", "end", "days", "max_aqi", "alert_zh", "alert_en"]
    console.print(_table("episodes 重污染过程", result["episodes"], columns))


def qa(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (Asia/Shanghai).")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    jurisdiction: Annotated[
        str | None, typer.Option("--jurisdiction", help="Only this jurisdiction.")
    ] = None,
    commit: Annotated[
        bool, typer.Option("--commit", help="Store the flags in the twin and its log.")
    ] = False,
    json: JsonOption = False,
) -> None:
    """Quality flags of the stations' readings (impossible, stuck, spike, neighbour). 数据质量标记。"""
    first, last = _date(from_, "--from"), _date(to, "--to")
    with Twin.open(data_dir(ctx)) as twin:
        result = report.qa_report(twin, first, last, jurisdiction, commit=commit)
    if json:
        emit_json(result)
        return
    console.print(_table("quality flags 质量标记", result["counts"], ["flag", "attribute", "count"]))
    if "stored" in result:
        st = result["stored"]
        console.print(
            f"stored {st['flags']} flags in {st['entities']} entities ({st['unchanged']} unchanged)"
        )


def joint(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (Asia/Shanghai).")],
    to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    threshold: Annotated[float | None, typer.Option(help="PM2.5 hourly screening value \\[ug/m3].")] = None,
    json: JsonOption = False,
) -> None:
    """Jurisdictions compared, and hours when stations exceed together. 联防联控：辖区对比与同时超标。"""
    first, last = _date(from_, "--from"), _date(to, "--to")
    with Twin.open(data_dir(ctx)) as twin:
        result = report.joint_report(twin, first, last, threshold)
    if json:
        emit_json(result)
        return
    columns = [
        "jurisdiction",
        "days",
        "mean_aqi",
        "mean_pm25",
        "days_over_100",
        "days_over_200",
        "top_primary",
    ]
    console.print(_table("jurisdictions 辖区对比", result["jurisdictions"], columns))
    co = result["co_exceedance"]
    console.print(
        f"hours with PM2.5 > {co['threshold']:g} ug/m3 at some station: {co['hours_any']}; "
        f"in two or more jurisdictions at once: {co['hours_cross_boundary']}"
    )


# ------------------------------------------------------------------ forecast


def _model_dir(ctx: typer.Context, model: Path | None) -> Path:
    return model if model is not None else data_dir(ctx) / MODEL_DIR


def _all_stations(twin: Twin, start=None, end=None) -> pd.DataFrame:
    st = source.stations(twin)
    return source.station_frame(twin, list(st["entity_id"]), start, end, weather=True)


def forecast_train(
    ctx: typer.Context,
    train_end: Annotated[str, typer.Option("--train-end", help="Last training target day.")] = str(
        air_forecast.TRAIN_END
    ),
    rounds: Annotated[int, typer.Option(help="Boosting rounds.")] = air_forecast.DEFAULT_ROUNDS,
    model: Annotated[
        Path | None, typer.Option(help="Model directory [default: <data>/models/air-forecast].")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Train the 24-h-ahead PM2.5 model and commit its record to the ledger. 训练PM2.5预报模型。"""
    end = _date(train_end, "--train-end")
    with Twin.open(data_dir(ctx)) as twin:
        _, stop = source.day_bounds(end, end)
        frame = _all_stations(twin, None, stop + dt.timedelta(days=1))
        trained = air_forecast.train(air_forecast.features(frame), train_end=end, rounds=rounds)
        path = air_forecast.save(trained, _model_dir(ctx, model))
        entity, index = source.commit_model_record(twin, trained.record)
    result = {"model_dir": str(path), "record_entity": entity, "log_index": index, "record": trained.record}
    if json:
        emit_json(result)
    else:
        r = trained.record
        console.print(
            f"trained on {r['rows']:,} rows, targets {r['train_targets'][0]}..{r['train_targets'][1]}, "
            f"{len(r['stations'])} stations; saved to {path}; record {entity} (log index {index})"
        )


def forecast_evaluate(
    ctx: typer.Context,
    model: Annotated[Path | None, typer.Option(help="Model directory.")] = None,
    test_from: Annotated[str, typer.Option("--from", help="First test target day.")] = str(
        air_forecast.TEST_RANGE[0]
    ),
    test_to: Annotated[str, typer.Option("--to", help="Last test target day.")] = str(
        air_forecast.TEST_RANGE[1]
    ),
    min_gain: Annotated[float, typer.Option(help="Required mean RMSE gain over persistence.")] = 0.15,
    json: JsonOption = False,
) -> None:
    """RMSE and MAE against persistence and seasonal naive on the test year; exit 1 below --min-gain."""
    lo, hi = _date(test_from, "--from"), _date(test_to, "--to")
    m = air_forecast.load(_model_dir(ctx, model))
    with Twin.open(data_dir(ctx)) as twin:
        start, end = source.day_bounds(lo, hi, pad_hours=24 * 8)
        frame = _all_stations(twin, start, end)
    per, summary = air_forecast.evaluate(m, air_forecast.features(frame), (lo, hi))
    summary["min_gain"] = min_gain
    summary["ok"] = summary["mean_rmse_gain"] >= min_gain
    if json:
        emit_json({"summary": summary, "stations": per.round(3).to_dict("records")})
    else:
        shown = per.rename(
            columns={
                "station_id": "station",
                "rmse_model": "RMSE",
                "rmse_persistence": "RMSE persist.",
                "rmse_seasonal": "RMSE seas.",
                "mae_model": "MAE",
                "mae_persistence": "MAE persist.",
            }
        )
        shown["gain"] = per["rmse_gain"].map(lambda g: f"{g:.1%}")
        columns = ["station", "n", "RMSE", "RMSE persist.", "RMSE seas.", "MAE", "MAE persist.", "gain"]
        title = f"24-h PM2.5 forecast, test targets {lo}..{hi} [ug/m3]"
        console.print(_table(title, shown.to_dict("records"), columns))
        console.print(
            f"mean RMSE: model {summary['mean_rmse_model']:.1f}, persistence "
            f"{summary['mean_rmse_persistence']:.1f}, seasonal naive {summary['mean_rmse_seasonal']:.1f}; "
            f"mean gain over persistence {summary['mean_rmse_gain']:.1%} (required {min_gain:.0%})"
        )
    if not summary["ok"]:
        err_console.print(f"mean RMSE gain {summary['mean_rmse_gain']:.1%} is below {min_gain:.0%}")
        raise typer.Exit(EXIT_CHECK_FAILED)


def forecast_predict(
    ctx: typer.Context,
    at: Annotated[
        str | None, typer.Option("--at", help="Issue time, ISO 8601 with offset [default: latest].")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model directory.")] = None,
    json: JsonOption = False,
) -> None:
    """Hourly PM2.5 for the next 24 hours per station. 未来24小时逐时PM2.5。"""
    m = air_forecast.load(_model_dir(ctx, model))
    issued = pd.Timestamp(at) if at else None
    if issued is not None and issued.tzinfo is None:
        raise BadInputError(f"--at {at!r} has no time zone: expected an offset such as Z or +08:00")
    with Twin.open(data_dir(ctx)) as twin:
        end = (issued + pd.Timedelta(hours=1)).to_pydatetime() if issued is not None else None
        start = (issued - pd.Timedelta(days=9)).to_pydatetime() if issued is not None else None
        frame = _all_stations(twin, start, end)
    p = air_forecast.predict(m, frame.loc[frame["station_id"].isin(m.stations)], issued)
    rows = report.records(p, ["station_id", "target_at", "pm25", "issued_at"])
    if json:
        emit_json({"forecast": rows})
        return
    console.print(_table("PM2.5 forecast [ug/m3] 预报", rows, ["station_id", "target_at", "pm25"]))


def register(app: typer.Typer) -> None:
    """Mount ``air`` on the root app."""
    air_app.command("aqi")(aqi)
    air_app.command("daily")(daily)
    air_app.command("episodes")(episodes)
    air_app.command("qa")(qa)
    air_app.command("joint")(joint)
    forecast_app.command("train")(forecast_train)
    forecast_app.command("evaluate")(forecast_evaluate)
    forecast_app.command("predict")(forecast_predict)
    air_app.add_typer(forecast_app, name="forecast")
    app.add_typer(air_app, name="air")
