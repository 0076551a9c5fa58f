"""Run one Airflow 3 DAG for real: api-server + dag-processor + scheduler, LocalExecutor, SQLite.

``run_dag_for_real(python, project, airflow_home, dag_id)`` configures Airflow through
environment variables (they override the default airflow.cfg that the first
``airflow`` command writes into ``airflow_home``), migrates a SQLite
metadata database under ``airflow_home``, starts the three components as subprocesses
(each in its own process group, logs under ``airflow_home/harness-logs``), waits
until the DAG is parsed, unpauses it and triggers exactly one run, waits for that
run to finish, reads the task instances from the metadata database, and always
stops every process it started.

The scheduler's ``use_job_schedule`` is off, so a DAG with a schedule (``@once``, a
cron) gets no run besides the one triggered here; the result says how many runs
the database holds (``dag_runs``), and the harness fails if it is not one.

Only the standard library is used in this process; Airflow runs in ``python``'s
environment (the ``airflow`` console script next to it, else ``python -m airflow``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

TERMINAL_RUN_STATES = ("success", "failed")


class AirflowHarnessError(RuntimeError):
    """The harness could not get a finished run; the message holds the log tails."""


# --- configuration ------------------------------------------------------------------


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (another process may take it later:
    the api-server start is retried on another port if it cannot bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow_env(
    project: Path,
    airflow_home: Path,
    port: int,
    *,
    dags_folder: Path | None = None,
    parallelism: int = 4,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of every Airflow process of one harness run."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    pythonpath = [str(project / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    url = f"http://127.0.0.1:{port}"
    env = {
        **base,
        "PYTHONPATH": os.pathsep.join(pythonpath),
        "KEDRO_DISABLE_TELEMETRY": "1",
        "PYTHONUNBUFFERED": "1",
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder or project / "airflow_dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(parallelism),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        # Workers (task supervisors) talk to the api-server's execution API.
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API__WORKERS": "1",
        # One JWT secret for all processes (the scheduler signs the workers' tokens,
        # the api-server checks them). Unset, it comes from the airflow.cfg that the
        # first command writes (a race if components start first); set empty, the
        # api-server exits ("api_auth/jwt_secret must be set") while the others
        # make up ephemeral ones.
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(48),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        # Simple auth manager (the default): everyone is admin, no password file needed.
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
            airflow_home / "simple_auth_manager_passwords.json.generated"
        ),
        # Pick the DAG up in seconds; one parsing process (two cores).
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "2",
        "AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL": "1",
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "30",
        "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
        "AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL": "0",
        # A task supervisor sometimes notices its task's exit only at its next
        # heartbeat (default every 5 s): the LocalExecutor slot stays taken and the
        # scheduler's shutdown waits that long. 1 s makes both prompt.
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        # Only the run triggered here: no scheduled runs (``@once``, cron, catchup).
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"),
        "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
    }
    env.update(extra or {})
    return env


def airflow_command(python: Path) -> list[str]:
    script = Path(python).parent / "airflow"
    return [str(script)] if script.exists() else [str(python), "-m", "airflow"]


# --- processes ----------------------------------------------------------------------


def tail(path: Path, chars: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        return f"<{error}>"
    return text[-chars:]


class Cluster:
    """The three long-running components, each its own session (process group)."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, logs: Path):
        self.cmd, self.env, self.cwd, self.logs = cmd, env, cwd, logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.files: dict[str, Any] = {}
        self.descendants: set[int] = set()

    def start(self, name: str, *args: str) -> None:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.files[name] = log
        self.procs[name] = subprocess.Popen(
            [*self.cmd, *args],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: one killpg stops its workers too
        )

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AirflowHarnessError(f"airflow {name} exited with code {proc.returncode}")

    def remember_descendants(self) -> None:
        """Every process under the components now (LocalExecutor workers, task
        supervisors, uvicorn workers): some leave the process group, so they are
        killed by pid at the end if still alive."""
        for proc in self.procs.values():
            self.descendants |= _descendants(proc.pid)

    def stop(self, grace: float = 20.0) -> dict[str, Any]:
        """Stop the components one by one, scheduler first, api-server last.

        The scheduler, on SIGTERM, forwards it to running tasks and waits for them
        to finish; their supervisors then report the final state to the api-server,
        so the api-server must still be up: stopping all three at once leaves the
        supervisors retrying against a closed port until SIGKILL. A second SIGTERM
        stops the wait; SIGKILL (the group, then every remembered descendant, some
        of which left the group with setsid) ends what is left. Orphans are reaped
        here (see ``subreaper``), else they stay zombies under a PID 1 that never
        reaps, as in many containers.
        """
        self.remember_descendants()
        report: dict[str, Any] = {}
        for name in [n for n in ("scheduler", "dag-processor", "api-server") if n in self.procs]:
            proc = self.procs[name]
            began = time.monotonic()
            tree = _descendants(proc.pid) | {proc.pid}
            how = "exited"
            if proc.poll() is None:
                _signal_group(proc.pid, signal.SIGTERM)
                how = "SIGTERM"
                if not _wait_tree(proc, tree, grace * 0.75):
                    _signal_group(
                        proc.pid, signal.SIGTERM
                    )  # "signal again if you don't want to wait"
                    how = "SIGTERM x2"
                    if not _wait_tree(proc, tree, grace * 0.25):
                        how = "SIGKILL"
            _signal_group(proc.pid, signal.SIGKILL)  # whatever is left in the group
            for pid in tree - {proc.pid}:
                if _alive(pid):
                    _kill(pid)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                how = "unkillable"
            report[name] = {
                "how": how,
                "code": proc.returncode,
                "seconds": round(time.monotonic() - began, 2),
            }
        survivors = [pid for pid in self.descendants if _alive(pid)]
        for pid in survivors:
            _kill(pid)
        report["stray_pids_killed"] = survivors
        report["zombies_reaped"] = _reap(self.descendants)
        for log in self.files.values():
            log.close()
        return report


def _wait_tree(proc: subprocess.Popen[bytes], tree: set[int], seconds: float) -> bool:
    """Wait until the leader is reaped and no process of ``tree`` is alive."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        _reap(tree - {proc.pid})
        if proc.poll() is not None and not any(_alive(pid) for pid in tree):
            return True
        time.sleep(0.1)
    return False


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _reap(pids: set[int]) -> list[int]:
    """waitpid the given pids that became our children (subreaper) and exited."""
    reaped = []
    for pid in pids:
        try:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                reaped.append(pid)
        except ChildProcessError:
            pass
    return reaped


class subreaper:
    """Linux: make this process the child subreaper while the cluster runs, so
    orphaned Airflow processes become our children (and get reaped by ``stop``)
    instead of PID 1's. Restores the previous setting on exit; a no-op elsewhere."""

    def __enter__(self) -> subreaper:
        self.previous = None
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            value = ctypes.c_int(0)
            if libc.prctl(37, ctypes.byref(value), 0, 0, 0) == 0:  # PR_GET_CHILD_SUBREAPER
                self.previous = value.value
                libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
            self.libc = libc
        except (OSError, AttributeError):
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            self.libc.prctl(36, self.previous, 0, 0, 0)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(pid: int) -> set[int]:
    children, found, todo = _children_map(), set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Alive and not a zombie (a zombie child of ours is reaped by its parent's exit)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- metadata database --------------------------------------------------------------


def query(db: Path, sql: str, *args: Any) -> list[sqlite3.Row]:
    """Read the metadata DB (WAL mode: readers never block Airflow's writers)."""
    if not db.exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    con.row_factory = sqlite3.Row
    try:
        return con.execute(sql, args).fetchall()
    except sqlite3.OperationalError as error:  # a table not there yet, a busy DB
        if "no such table" in str(error) or "locked" in str(error):
            return []
        raise
    finally:
        con.close()


def parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# --- the harness --------------------------------------------------------------------


def run_dag_for_real(
    python: Path,
    project: Path,
    airflow_home: Path,
    dag_id: str,
    timeout: float = 300,
    *,
    dags_folder: Path | None = None,
    parallelism: int = 4,
    cwd: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run ``dag_id`` once on a real api-server + dag-processor + scheduler.

    ``timeout`` bounds the whole call (start, parse, run); shutting down takes at
    most ~20 s more. The processes start in ``cwd`` (default: ``project``).
    Returns the run's state and times, the task instances (task_id, map_index,
    rendered_map_index, state, try_number, start_date, end_date as ISO strings,
    duration), phase timings, and the log paths; when the run did not succeed,
    ``failure_logs`` holds the tails of the failed tasks' logs. Raises
    ``AirflowHarnessError`` (with the components' log tails) when no finished run
    is reached in time, a component dies, the DAG does not parse, or the DB holds
    more than one run.
    """
    started = time.monotonic()
    deadline = started + timeout
    project, airflow_home = Path(project).resolve(), Path(airflow_home).resolve()
    airflow_home.mkdir(parents=True, exist_ok=True)
    logs = airflow_home / "harness-logs"
    logs.mkdir(exist_ok=True)
    db = airflow_home / "airflow.db"
    if db.exists():  # a second run in the same home would break the one-run check
        raise AirflowHarnessError(f"{db} exists: give each harness run a fresh airflow_home")
    cmd = airflow_command(Path(python))
    timings: dict[str, float] = {}
    cluster: Cluster | None = None
    result: dict[str, Any] = {}
    reaper = subreaper().__enter__()

    def mark(phase: str) -> None:
        timings[phase] = round(time.monotonic() - started, 2)

    def cli(env: dict[str, str], *args: str, name: str) -> str:
        budget = max(5.0, deadline - time.monotonic())
        with open(logs / f"{name}.log", "ab") as log:
            done = subprocess.run(
                [*cmd, *args],
                cwd=cwd or project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                timeout=budget,
            )
            log.write(done.stdout)
        if done.returncode != 0:
            raise AirflowHarnessError(f"airflow {' '.join(args)} exited with {done.returncode}")
        return done.stdout.decode(errors="replace")

    try:
        for attempt in range(3):  # the free port may be taken before the api-server binds it
            port = free_port()
            env = airflow_env(
                project,
                airflow_home,
                port,
                dags_folder=dags_folder,
                parallelism=parallelism,
                extra=extra_env,
            )
            if attempt == 0:
                cli(env, "db", "migrate", name="db-migrate")
                mark("migrated")
            cluster = Cluster(cmd, env, cwd or project, logs)
            # All three at once: the dag-processor and the scheduler do not need the
            # api-server until a task runs, so its ~4 s start overlaps theirs.
            cluster.start("api-server", "api-server", "--host", "127.0.0.1", "--port", str(port))
            cluster.start("dag-processor", "dag-processor")
            cluster.start("scheduler", "scheduler", "--skip-serve-logs")
            if _wait_for_api(cluster, port, deadline):
                break
            cluster.stop(grace=4.0)
            if "address already in use" not in tail(logs / "api-server.log").lower():
                raise AirflowHarnessError("the api-server did not come up")
        else:
            raise AirflowHarnessError("the api-server could not bind a port in 3 attempts")
        mark("api_up")

        # Parsed: the DAG row and its serialized form exist (the scheduler needs the latter).
        errors_seen: float | None = None
        while True:
            cluster.check_alive()
            rows = query(
                db,
                "SELECT d.is_paused FROM dag d JOIN serialized_dag s ON s.dag_id = d.dag_id "
                "WHERE d.dag_id = ?",
                dag_id,
            )
            if rows:
                break
            errors = query(db, "SELECT filename, stacktrace FROM import_error")
            if errors and errors_seen is None:
                errors_seen = time.monotonic()
            if errors and time.monotonic() - errors_seen > 5:  # another file's error, or ours
                raise AirflowHarnessError(
                    "DAG import errors:\n"
                    + "\n".join(f"{e['filename']}:\n{e['stacktrace']}" for e in errors)
                )
            _check_deadline(deadline, f"DAG {dag_id!r} to be parsed")
            time.sleep(0.5)
        mark("dag_parsed")

        run_id = f"harness__{uuid.uuid4().hex[:12]}"
        try:  # the public REST API: ~0.1 s (all-admins: no token needed)
            _rest(port, "PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})
            _rest(
                port,
                "POST",
                f"/api/v2/dags/{dag_id}/dagRuns",
                {"dag_run_id": run_id, "logical_date": None},
            )
            result["triggered_by"] = "rest"
        except (urllib.error.URLError, OSError) as error:  # the CLI: ~2.5 s a call
            if query(db, "SELECT 1 FROM dag_run WHERE dag_id = ? AND run_id = ?", dag_id, run_id):
                raise AirflowHarnessError(
                    f"trigger answered {error}, yet the run exists"
                ) from error
            with open(logs / "cli.log", "a") as log:
                log.write(f"REST trigger failed ({error}); using the CLI\n")
            cli(env, "dags", "unpause", dag_id, name="cli")
            cli(env, "dags", "trigger", dag_id, "--run-id", run_id, "-o", "json", name="cli")
            result["triggered_by"] = "cli"
        mark("triggered")

        while True:
            cluster.check_alive()
            run = query(db, "SELECT * FROM dag_run WHERE dag_id = ? AND run_id = ?", dag_id, run_id)
            if run and run[0]["state"] in TERMINAL_RUN_STATES:
                break
            _check_deadline(deadline, f"run {run_id} to finish (state: {run and run[0]['state']})")
            time.sleep(0.5)
        mark("run_finished")
        cluster.remember_descendants()

        run_row = dict(run[0])
        runs = query(db, "SELECT run_id, run_type, state FROM dag_run WHERE dag_id = ?", dag_id)
        tis = [
            dict(row)
            for row in query(
                db,
                "SELECT task_id, map_index, rendered_map_index, state, try_number, "
                "start_date, end_date, duration, queued_dttm, pid, hostname "
                "FROM task_instance WHERE dag_id = ? AND run_id = ? "
                "ORDER BY start_date, task_id, map_index",
                dag_id,
                run_id,
            )
        ]
        run_start, run_end = parse_time(run_row["start_date"]), parse_time(run_row["end_date"])
        result.update(
            {
                "dag_id": dag_id,
                "run_id": run_id,
                "state": run_row["state"],
                "run_start": str(run_start),
                "run_end": str(run_end),
                "run_seconds": (run_end - run_start).total_seconds()
                if run_start and run_end
                else None,
                "dag_runs": [dict(r) for r in runs],
                "task_instances": tis,
                "port": port,
                "logs": {p.stem: str(p) for p in sorted(logs.glob("*.log"))},
                "task_log_folder": str(airflow_home / "logs"),
            }
        )
        if len(runs) != 1:
            raise AirflowHarnessError(
                f"expected exactly one run of {dag_id}, found {result['dag_runs']}"
            )
        if run_row["state"] != "success":
            result["failure_logs"] = _failed_task_logs(airflow_home, dag_id, run_id, tis)
        return result
    except subprocess.TimeoutExpired as error:  # a CLI call outlived the deadline
        failure: AirflowHarnessError = AirflowHarnessError(str(error))
    except AirflowHarnessError as error:
        failure = error
    finally:
        try:
            if cluster is not None:
                # A task ignores SIGTERM (Airflow 3's task runner only calls on_kill), and
                # the scheduler waits for running tasks: after a timeout, wait little.
                result["shutdown"] = cluster.stop(grace=20.0 if "state" in result else 4.0)
        finally:
            reaper.__exit__()
            mark("stopped")
            result["timings"] = timings
    raise AirflowHarnessError(
        f"{failure}\ntimings: {timings}\nshutdown: {result.get('shutdown')}\n"
        f"{_log_tails(logs, airflow_home, dag_id)}"
    ) from None


def _wait_for_api(cluster: Cluster, port: int, deadline: float) -> bool:
    """True when the api-server answers its health endpoint; False if it exited."""
    url = f"http://127.0.0.1:{port}/api/v2/monitor/health"
    while True:
        if cluster.procs["api-server"].poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                json.load(response)
                return True
        except (urllib.error.URLError, ConnectionError, OSError, ValueError):
            pass
        _check_deadline(deadline, "the api-server to answer")
        time.sleep(0.5)


def _rest(port: int, method: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def _check_deadline(deadline: float, what: str) -> None:
    if time.monotonic() > deadline:
        raise AirflowHarnessError(f"timed out waiting for {what}")


def _failed_task_logs(airflow_home: Path, dag_id: str, run_id: str, tis: list[dict]) -> dict:
    folder = airflow_home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
    out = {}
    for ti in tis:
        if ti["state"] == "success":
            continue
        task = folder / f"task_id={ti['task_id']}"
        if ti["map_index"] >= 0:
            task = task / f"map_index={ti['map_index']}"
        for path in sorted(task.glob("attempt=*.log")):
            out[str(path.relative_to(folder))] = tail(path, 3000)
    return out


def _log_tails(logs: Path, airflow_home: Path, dag_id: str) -> str:
    parts = []
    for path in sorted(logs.glob("*.log")):
        parts.append(f"----- {path.name} (tail) -----\n{tail(path)}")
    task_logs = sorted((airflow_home / "logs").glob(f"dag_id={dag_id}/**/*.log"))
    for path in task_logs[-3:]:
        parts.append(
            f"----- task log {path.relative_to(airflow_home)} (tail) -----\n{tail(path, 2000)}"
        )
    return "\n".join(parts)


def overlapping(task_instances: list[dict]) -> list[tuple[str, str]]:
    """Pairs of task instances (``task_id[map_index]``) whose run times overlap."""
    spans = []
    for ti in task_instances:
        start, end = parse_time(ti["start_date"]), parse_time(ti["end_date"])
        if start and end:
            label = ti["task_id"] + (f"[{ti['map_index']}]" if ti["map_index"] >= 0 else "")
            spans.append((label, start, end))
    return [
        (a, b)
        for i, (a, a0, a1) in enumerate(spans)
        for (b, b0, b1) in spans[i + 1 :]
        if a0 < b1 and b0 < a1
    ]
