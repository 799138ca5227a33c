"""The one base every spark-submit job uses (like cc-pyspark's CCSparkJob): arguments, recipe, session,
timing, summary and exit code. Job files only say which stage they run and how to print its numbers."""

from __future__ import annotations

import argparse
import logging
import sys
import time

from corpus.config import RecipeError, load_recipe
from corpus.runtime.lock import OutLockedError, out_lock
from corpus.runtime.spark import JavaMissingError, get_session
from corpus.sources.listing import InputError

log = logging.getLogger("optcorpus")


class CorpusJob:
    """A job that runs one stage (``name``) through the stage runner; the build job overrides ``run``."""

    name = "job"
    script = ""  # the file under jobs/ when it is not named after the stage
    description = ""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Job-specific arguments."""

    def run(self, spark, recipe, args) -> dict:
        from corpus.runtime.runner import run_stage

        return run_stage(spark, recipe, args.out, self.name)

    def summary(self, stats: dict) -> str:
        from corpus.report.tables import stage_table

        return stage_table(self.name, stats)

    def parser(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog=f"spark-submit jobs/{self.script or self.name}.py", description=self.description
        )
        parser.add_argument("--recipe", required=True, help="TOML recipe, e.g. data_manifests/sample.toml")
        parser.add_argument("--out", required=True, help="output directory (local path or URI)")
        parser.add_argument(
            "--master", default=None, help="Spark master when not given to spark-submit (default local[*])"
        )
        parser.add_argument("--partitions", type=int, default=None, help="override recipe.partitions")
        self.add_arguments(parser)
        return parser

    def main(self, argv: list[str] | None = None) -> int:
        """Run the job; exit 0, or 2 with one ``error:`` line for a bad recipe, missing inputs or a held OUT."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        args = self.parser().parse_args(argv)
        started = time.time()
        try:
            recipe = load_recipe(args.recipe)
            if args.partitions is not None:
                import dataclasses

                recipe = dataclasses.replace(recipe, partitions=args.partitions)
            with out_lock(args.out, f"jobs/{self.name}.py --recipe {args.recipe}"):
                spark = get_session(f"optcorpus-{self.name}", master=args.master)
                stats = self.run(spark, recipe, args)
        except (RecipeError, JavaMissingError, InputError, OutLockedError) as e:
            # the user's input, not our bug: one line, no traceback
            print(f"error: {e}", file=sys.stderr)
            return 2
        text = self.summary(stats)
        if text:
            print(text)
        print(f"{self.name}: done in {time.time() - started:.1f} s -> {args.out}")
        return 0
