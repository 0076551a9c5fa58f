"""Layer 4, deployment: the Airflow DAG and Dagster job writers."""
