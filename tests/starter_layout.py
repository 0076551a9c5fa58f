"""A project with the layout of Kedro's ``spaceflights-pandas`` starter, generated.

Not a copy of the starter: the same shape, written from scratch, so that
``docs/adopt.md`` can be followed on it step by step (``tests/e2e/test_adopt.py``):

- parameters split across ``parameters.yml`` (empty), ``parameters_data_processing.yml``
  and ``parameters_data_science.yml`` (which holds ``model_options``);
- ``data_processing`` (three nodes, persisted Parquet outputs), ``data_science``
  (split, train a hard-coded ``LinearRegression``, evaluate into an in-memory
  ``metrics`` dict), and a ``reporting`` pipeline that reads
  ``data_processing``'s ``preprocessed_shuttles`` (the starter draws charts of
  it; here it writes a table, to need no plotting library);
- a ``catalog.yml`` with the raw inputs, the intermediate tables and a
  versioned ``regressor``;
- the starter's ``pipeline_registry.py``: ``find_pipelines`` and a
  ``__default__`` that sums every pipeline;
- ``settings.py`` without any hook.

The raw data is the sample project's (CSV, where the starter has an Excel file).
Checked against kedro-starters' ``spaceflights-pandas`` of February 2026.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "spaceflights"

FILES = {
    "pyproject.toml": f"""
        [build-system]
        requires = ["setuptools"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "{PACKAGE}"
        version = "0.1"
        dynamic = ["dependencies"]

        [tool.kedro]
        package_name = "{PACKAGE}"
        project_name = "{PACKAGE}"
        kedro_init_version = "1.3.0"
        source_dir = "src"
    """,
    "conf/base/parameters.yml": """
        # Parameters shared by every pipeline (none yet).
    """,
    "conf/base/parameters_data_processing.yml": """
        # This is a boilerplate parameters config generated for pipeline 'data_processing'
    """,
    "conf/base/parameters_data_science.yml": """
        model_options:
          test_size: 0.2
          random_state: 3
          features:
            - engines
            - passenger_capacity
            - crew
            - d_check_complete
            - moon_clearance_complete
            - iata_approved
            - company_rating
            - review_scores_rating
    """,
    "conf/base/catalog.yml": """
        companies:
          type: pandas.CSVDataset
          filepath: data/01_raw/companies.csv

        reviews:
          type: pandas.CSVDataset
          filepath: data/01_raw/reviews.csv

        shuttles:
          type: pandas.CSVDataset
          filepath: data/01_raw/shuttles.csv

        preprocessed_companies:
          type: pandas.ParquetDataset
          filepath: data/02_intermediate/preprocessed_companies.parquet

        preprocessed_shuttles:
          type: pandas.ParquetDataset
          filepath: data/02_intermediate/preprocessed_shuttles.parquet

        model_input_table:
          type: pandas.ParquetDataset
          filepath: data/03_primary/model_input_table.parquet

        regressor:
          type: pickle.PickleDataset
          filepath: data/06_models/regressor.pickle
          versioned: true

        shuttle_passenger_capacity:
          type: pandas.CSVDataset
          filepath: data/08_reporting/shuttle_passenger_capacity.csv
    """,
    "conf/local/.gitkeep": "",
    f"src/{PACKAGE}/__init__.py": '''
        """spaceflights"""

        __version__ = "0.1"
    ''',
    f"src/{PACKAGE}/settings.py": '''
        """Project settings. There is no need to edit this file unless you want to change values
        from the Kedro defaults."""

        # Hooks are executed in a Last-In-First-Out (LIFO) order.
        # HOOKS = (ProjectHooks(),)
    ''',
    f"src/{PACKAGE}/pipeline_registry.py": '''
        """Project pipelines."""

        from kedro.framework.project import find_pipelines
        from kedro.pipeline import Pipeline


        def register_pipelines() -> dict[str, Pipeline]:
            """Register the project's pipelines."""
            pipelines = find_pipelines(raise_errors=True)
            pipelines["__default__"] = sum(pipelines.values())
            return pipelines
    ''',
    f"src/{PACKAGE}/pipelines/__init__.py": "",
    f"src/{PACKAGE}/pipelines/data_processing/__init__.py": """
        from .pipeline import create_pipeline  # noqa: F401
    """,
    f"src/{PACKAGE}/pipelines/data_processing/nodes.py": """
        import pandas as pd


        def _is_true(x: pd.Series) -> pd.Series:
            return x == "t"


        def _parse_percentage(x: pd.Series) -> pd.Series:
            return x.str.replace("%", "").astype(float) / 100


        def _parse_money(x: pd.Series) -> pd.Series:
            return x.str.replace("$", "").str.replace(",", "").astype(float)


        def preprocess_companies(companies: pd.DataFrame) -> pd.DataFrame:
            companies["iata_approved"] = _is_true(companies["iata_approved"])
            companies["company_rating"] = _parse_percentage(companies["company_rating"])
            return companies


        def preprocess_shuttles(shuttles: pd.DataFrame) -> pd.DataFrame:
            shuttles["d_check_complete"] = _is_true(shuttles["d_check_complete"])
            shuttles["moon_clearance_complete"] = _is_true(shuttles["moon_clearance_complete"])
            shuttles["price"] = _parse_money(shuttles["price"])
            return shuttles


        def create_model_input_table(
            shuttles: pd.DataFrame, companies: pd.DataFrame, reviews: pd.DataFrame
        ) -> pd.DataFrame:
            rated_shuttles = shuttles.merge(reviews, left_on="id", right_on="shuttle_id")
            rated_shuttles = rated_shuttles.drop("id", axis=1)
            table = rated_shuttles.merge(companies, left_on="company_id", right_on="id")
            return table.dropna()
    """,
    f"src/{PACKAGE}/pipelines/data_processing/pipeline.py": """
        from kedro.pipeline import Node, Pipeline

        from .nodes import create_model_input_table, preprocess_companies, preprocess_shuttles


        def create_pipeline(**kwargs) -> Pipeline:
            return Pipeline(
                [
                    Node(
                        func=preprocess_companies,
                        inputs="companies",
                        outputs="preprocessed_companies",
                        name="preprocess_companies_node",
                    ),
                    Node(
                        func=preprocess_shuttles,
                        inputs="shuttles",
                        outputs="preprocessed_shuttles",
                        name="preprocess_shuttles_node",
                    ),
                    Node(
                        func=create_model_input_table,
                        inputs=["preprocessed_shuttles", "preprocessed_companies", "reviews"],
                        outputs="model_input_table",
                        name="create_model_input_table_node",
                    ),
                ]
            )
    """,
    f"src/{PACKAGE}/pipelines/data_science/__init__.py": """
        from .pipeline import create_pipeline  # noqa: F401
    """,
    f"src/{PACKAGE}/pipelines/data_science/nodes.py": """
        import logging

        import pandas as pd
        from sklearn.linear_model import LinearRegression
        from sklearn.metrics import max_error, mean_absolute_error, r2_score
        from sklearn.model_selection import train_test_split


        def split_data(data: pd.DataFrame, parameters: dict) -> tuple:
            X = data[parameters["features"]]
            y = data["price"]
            return train_test_split(
                X, y, test_size=parameters["test_size"], random_state=parameters["random_state"]
            )


        def train_model(X_train: pd.DataFrame, y_train: pd.Series) -> LinearRegression:
            regressor = LinearRegression()
            regressor.fit(X_train, y_train)
            return regressor


        def evaluate_model(
            regressor: LinearRegression, X_test: pd.DataFrame, y_test: pd.Series
        ) -> dict[str, float]:
            y_pred = regressor.predict(X_test)
            score = r2_score(y_test, y_pred)
            mae = mean_absolute_error(y_test, y_pred)
            me = max_error(y_test, y_pred)
            logger = logging.getLogger(__name__)
            logger.info("Model has a coefficient R^2 of %.3f on test data.", score)
            return {"r2_score": score, "mae": mae, "max_error": me}
    """,
    f"src/{PACKAGE}/pipelines/data_science/pipeline.py": """
        from kedro.pipeline import Node, Pipeline

        from .nodes import evaluate_model, split_data, train_model


        def create_pipeline(**kwargs) -> Pipeline:
            return Pipeline(
                [
                    Node(
                        func=split_data,
                        inputs=["model_input_table", "params:model_options"],
                        outputs=["X_train", "X_test", "y_train", "y_test"],
                        name="split_data_node",
                    ),
                    Node(
                        func=train_model,
                        inputs=["X_train", "y_train"],
                        outputs="regressor",
                        name="train_model_node",
                    ),
                    Node(
                        func=evaluate_model,
                        inputs=["regressor", "X_test", "y_test"],
                        outputs="metrics",
                        name="evaluate_model_node",
                    ),
                ]
            )
    """,
    f"src/{PACKAGE}/pipelines/reporting/__init__.py": """
        from .pipeline import create_pipeline  # noqa: F401
    """,
    f"src/{PACKAGE}/pipelines/reporting/nodes.py": """
        import pandas as pd


        def compare_passenger_capacity(preprocessed_shuttles: pd.DataFrame) -> pd.DataFrame:
            return (
                preprocessed_shuttles.groupby(["shuttle_type"])
                .mean(numeric_only=True)
                .reset_index()[["shuttle_type", "passenger_capacity"]]
            )
    """,
    f"src/{PACKAGE}/pipelines/reporting/pipeline.py": """
        from kedro.pipeline import Node, Pipeline

        from .nodes import compare_passenger_capacity


        def create_pipeline(**kwargs) -> Pipeline:
            return Pipeline(
                [
                    Node(
                        func=compare_passenger_capacity,
                        inputs="preprocessed_shuttles",
                        outputs="shuttle_passenger_capacity",
                        name="compare_passenger_capacity_node",
                    ),
                ]
            )
    """,
}


def write_starter(root: Path) -> Path:
    """Write the starter-shaped project under ``root``; return its folder."""
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    raw = root / "data" / "01_raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("companies.csv", "reviews.csv", "shuttles.csv"):
        shutil.copy(ROOT / "sample_project" / "data" / "01_raw" / name, raw / name)
    return root
