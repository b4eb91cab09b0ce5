"""The deployment files kept in the repository (deploy/, docs/operations/deploy.md) stay
consistent with the code: the container files cannot be built in CI (no container
engine), so they are checked here to name only commands, settings and files that exist,
and to start the processes the systemd units start. tests/deploy/
test_production_profile.py boots the systemd profile itself."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
DOC = (ROOT / "docs" / "operations" / "deploy.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def _motcua_commands(text: str) -> set[str]:
    """`motcua <command>` as a shell line, an ExecStart or a container command list."""
    pattern = r'(?:bin/motcua |\["motcua", "|(?:^|&& |exec |`)motcua )([a-z_]+)'
    return set(re.findall(pattern, text, re.MULTILINE))


def test_units_start_the_three_processes_with_the_shared_environment():
    starts = {path.name: _unit(path)["Service"]["ExecStart"] for path in UNITS}
    assert starts == {
        "motcua-web.service": "/opt/motcua/venv/bin/gunicorn --config "
        "/opt/motcua/deploy/gunicorn.conf.py",
        "motcua-worker@.service": "/opt/motcua/venv/bin/motcua run_worker",
        "motcua-scheduler.service": "/opt/motcua/venv/bin/motcua run_scheduler",
    }
    for path in UNITS:
        service = _unit(path)["Service"]
        assert service["EnvironmentFile"] == "/etc/motcua/motcua.env", path.name
        assert service["User"] == "motcua" and service["ReadWritePaths"] == "/var/lib/motcua"
    target = _unit(DEPLOY / "systemd" / "motcua.target")["Unit"]["Wants"].split()
    assert target == ["motcua-web.service", "motcua-worker@1.service", "motcua-scheduler.service"]


def test_compose_runs_the_same_commands_as_the_units():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["web"]["command"] == [
        "gunicorn",
        "--config",
        "/opt/motcua/deploy/gunicorn.conf.py",
    ]
    assert services["worker"]["command"] == ["motcua", "run_worker"]
    assert services["scheduler"]["command"] == ["motcua", "run_scheduler"]
    assert "migrate --noinput" in services["setup"]["command"][-1]
    assert "collectstatic --noinput" in services["setup"]["command"][-1]
    for name in ("web", "worker", "scheduler", "setup"):
        assert services[name]["build"]["target"] == "app"
        assert services[name]["env_file"] == "motcua.env"
    assert services["proxy"]["build"]["target"] == "proxy"
    for service in services.values():
        if "build" in service:
            assert (ROOT / "deploy" / service["build"]["context"]).resolve() == ROOT
            assert (ROOT / service["build"]["dockerfile"]).exists()


def test_containerfile_installs_what_the_doc_installs():
    containerfile = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    targets = re.findall(r"^FROM \S+ AS (\w+)$", containerfile, re.MULTILINE)
    assert targets == ["app", "proxy"]
    for copied in re.findall(r"^COPY (\S+)", containerfile, re.MULTILINE):
        assert (ROOT / copied).exists(), copied
    packages = set(
        re.findall(r"\b(lib[\w.-]+|fonts-[\w-]+|ocrmypdf|tesseract-ocr-vie)\b", containerfile)
    )
    doc_install = DOC[DOC.index("apt-get install") : DOC.index("```", DOC.index("apt-get install"))]
    missing = {p for p in packages if p not in doc_install}
    assert not missing, f"installed in the Containerfile, not in deploy.md: {missing}"
    # The proxy image renders every placeholder of the nginx template.
    placeholders = set(re.findall(r"@([A-Z_]+)@", (DEPLOY / "nginx" / "motcua.conf").read_text()))
    assert placeholders == set(re.findall(r"s\|@([A-Z_]+)@\|", containerfile))
    assert placeholders == set(re.findall(r"s\|@([A-Z_]+)@\|", DOC))


def test_every_motcua_command_named_exists():
    import django

    django.setup()
    known = set(get_commands())
    texts = [DOC, (DEPLOY / "compose.yaml").read_text(), (DEPLOY / "Containerfile").read_text()]
    texts += [path.read_text() for path in UNITS]
    named = set().union(*(_motcua_commands(t) for t in texts))
    named |= set(re.findall(r"^mc ([a-z_]+)", DOC, re.MULTILINE))
    assert named, "no motcua command found: the pattern is wrong"
    assert not named - known, f"commands that do not exist: {named - known}"


def test_example_environment_is_documented_and_refused_until_filled_in():
    example = (DEPLOY / "motcua.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z][A-Z0-9_]+)=", example, re.MULTILINE)
    assert names
    undocumented = [n for n in names if f"`{n}`" not in CONFIGURATION]
    assert not undocumented, f"not in docs/configuration.md: {undocumented}"
    values = dict(
        (n, v.strip('"')) for n, v in re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", example, re.MULTILINE)
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOTCUA_"))}
    code = "import django; django.setup()"
    as_shipped = subprocess.run(
        [sys.executable, "-c", code], env={**base, **values}, capture_output=True, text=True
    )
    assert as_shipped.returncode != 0 and "DJANGO_SECRET_KEY" in as_shipped.stderr
    filled = {
        **values,
        "DJANGO_SECRET_KEY": "x" * 20 + "Q7#y" * 10,
        "MOTCUA_VNEID_CLIENT_SECRET": "real-oidc-secret",
        "MOTCUA_DVCQG_TOKEN": "real-token",
        "MOTCUA_PAYGATE_SECRET": "real-gateway-secret",
    }
    ok = subprocess.run(
        [sys.executable, "-c", code], env={**base, **filled}, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr[-2000:]


@pytest.mark.parametrize("path", [*UNITS, DEPLOY / "gunicorn.conf.py", DEPLOY / "compose.yaml"])
def test_files_the_doc_copies_exist(path):
    assert (
        path.relative_to(ROOT).as_posix().split("/", 1)[1]
        in DOC.replace("/opt/motcua/deploy/", "deploy/")
        or path.name in DOC
    )


def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` on the units as deploy.md installs them: a root with the
    system's own units, the venv's executables and the environment file in place; any
    unknown key, bad value or missing dependency is printed, and nothing may be."""
    analyze = "/usr/bin/systemd-analyze"
    system_units = Path("/usr/lib/systemd/system")
    if not (os.path.exists(analyze) and system_units.is_dir()):
        pytest.skip("systemd-analyze is not installed")
    import shutil

    shutil.copytree(system_units, tmp_path / "usr/lib/systemd/system", symlinks=True)
    bin_dir = tmp_path / "opt/motcua/venv/bin"
    bin_dir.mkdir(parents=True)
    for name in ("gunicorn", "motcua"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    (tmp_path / "bin").mkdir()
    shutil.copy("/bin/kill", tmp_path / "bin/kill")
    (tmp_path / "etc/motcua").mkdir(parents=True)
    (tmp_path / "etc/motcua/motcua.env").write_text("")
    installed = tmp_path / "etc/systemd/system"
    shutil.copytree(DEPLOY / "systemd", installed)
    names = [p.name for p in UNITS if "@" not in p.name]
    names += ["motcua-worker@1.service", "motcua.target"]
    run = subprocess.run(
        [analyze, "verify", f"--root={tmp_path}", *names],
        cwd=installed,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0 and not (run.stdout + run.stderr).strip(), run.stdout + run.stderr
