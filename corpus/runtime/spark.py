"""Building the SparkSession, the same way for spark-submit, the CLI and the tests."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

MIN_JAVA = 17
# Unless set: reduce tasks per shuffle and minimum file-scan splits, per core of the session.
SHUFFLE_TASKS_PER_CORE = 4
SCAN_SPLITS_PER_CORE = 4


class JavaMissingError(RuntimeError):
    pass


def java_major_version(java: str | None = None) -> int | None:
    """The major version of the java on PATH (or JAVA_HOME), or None when there is none."""
    java = java or (
        os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else None
    )
    java = java or shutil.which("java")
    if not java or not os.path.exists(java):
        return None
    out = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major  # "1.8.0" means Java 8


def require_java() -> None:
    """PySpark 4 needs Java 17+; say so plainly instead of letting py4j fail with a gateway error."""
    major = java_major_version()
    if major is None:
        raise JavaMissingError(
            f"Java {MIN_JAVA}+ is required by PySpark 4 but no `java` was found on PATH or in JAVA_HOME. "
            "Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) and try again."
        )
    if major < MIN_JAVA:
        raise JavaMissingError(
            f"Java {MIN_JAVA}+ is required by PySpark 4, but the java found is version {major}. "
            "Install Java 17 or newer and point JAVA_HOME at it."
        )


def get_session(app_name: str = "optcorpus", master: str | None = None, extra: dict | None = None):
    """The active SparkSession, or a new one with Arrow settings suited to batch-wise text work.

    Under spark-submit the master and resources come from the command line; ``master`` is only used
    when no session exists yet and none was given there (tests, CLI), defaulting to ``local[*]``.
    """
    require_java()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if master or "spark.master" not in _submit_conf():
        builder = builder.master(master or os.environ.get("OPTCORPUS_SPARK_MASTER", "local[*]"))
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        # Long documents: keep Arrow batches between the JVM and Python workers small in rows.
        "spark.sql.execution.arrow.maxRecordsPerBatch": "1024",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.adaptive.enabled": "false",  # stable partition counts => stable output file layout
        "spark.driver.memory": os.environ.get("OPTCORPUS_DRIVER_MEMORY", "4g"),
    }
    conf.update(extra or {})
    for k, v in conf.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    conf, cores = session.sparkContext.getConf(), session.sparkContext.defaultParallelism
    # Spark's default of 200 reduce tasks per shuffle (with AQE off, none are coalesced) costs ~2 s per
    # join or aggregation on a laptop; our many small shuffles want a few tasks per core. A file scan is
    # cut into splits of up to 128 MB: 285 MB of documents became 3 tasks on 2 cores, the last one running
    # alone. A few splits per core keep both busy (8 per core measured no better than 4 on 2 cores: the
    # Python stages cost per document, and a split is at least one Parquet row group).
    # Neither setting changes any output: every written dataset is repartitioned explicitly.
    defaults = {
        "spark.sql.shuffle.partitions": SHUFFLE_TASKS_PER_CORE * cores,
        "spark.sql.files.minPartitionNum": SCAN_SPLITS_PER_CORE * cores,
    }
    for key, value in defaults.items():
        if not conf.contains(key):
            session.conf.set(key, str(value))
    return session


# The environment variable that gives each build stage its own Python worker processes (see below).
STAGE_WORKERS_ENV = "OPTCORPUS_STAGE_WORKERS"
SHARED_WORKERS = "shared"  # the pool of the stages that do not ask for workers of their own


def use_stage_workers(spark, stage: str) -> None:
    """Run the Python functions created from now on in Python workers of their own, not in the ones an
    earlier stage left behind.

    Spark keeps one pool of reused Python workers per environment of the Python functions (``SparkContext
    .environment`` when a function is created), so a stage name in that environment gives each stage a
    fresh pool; the idle workers of the earlier pools exit after Spark's idle timeout (one minute).

    Why: with one pool for the whole build the same workers ran every stage, growing to gigabytes by the
    shards stage, and a worker's history slows later tasks in it (a task that leaves a million live
    Python objects behind made tokenizers encoding in the same worker about twice as slow). A new pool
    costs each worker its start-up, so only the stages that need it ask for one
    (``Stage.own_workers``: the shards stage); the others share one pool.
    """
    spark.sparkContext.environment[STAGE_WORKERS_ENV] = stage


def checkpointed(df):
    """``df`` computed once and stored, with its lineage cut: later queries on the result plan against a
    scan of the stored rows, not the whole chain of joins behind them.

    Why: a multi-step job (dedup) that only persisted its intermediates paid seconds of driver time per
    action re-analysing the growing plan (cache lookup compares whole plans). Reliable (files under the SparkContext's checkpoint directory, which survive a
    lost executor) when one is set, as it should be on a cluster; otherwise a local checkpoint (executor
    storage, memory and disk), which is what ``local[*]`` needs.
    """
    from pyspark import StorageLevel

    if df.sparkSession.sparkContext.getCheckpointDir():
        # the checkpoint writes in a second job: cached, that job does not recompute the rows
        cached = df.persist(StorageLevel.MEMORY_AND_DISK)
        saved = cached.checkpoint(eager=True)
        cached.unpersist()
        return saved
    return df.localCheckpoint(eager=True)


def _submit_conf() -> dict:
    """Spark settings passed by spark-submit (it exports them to the driver through PYSPARK_SUBMIT_ARGS / conf)."""
    # spark-submit starts the driver JVM first and sets SPARK_MASTER-like properties there; when we run
    # under it, PYSPARK_GATEWAY_PORT is set and getOrCreate() picks the submitted master up by itself.
    return {"spark.master": True} if os.environ.get("PYSPARK_GATEWAY_PORT") else {}
