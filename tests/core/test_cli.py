import pytest

from nurture import cli
from nurture.core.management.commands.serve import gunicorn_argv


def test_nurture_without_arguments_lists_the_commands(capsys):
    cli.main(["nurture"])

    out = capsys.readouterr().out
    assert "nurture demo" in out
    assert "nurture serve" in out


@pytest.mark.django_db
def test_reminders_is_an_alias_of_send_deadline_reminders(capsys):
    cli.main(["nurture", "reminders"])

    assert capsys.readouterr().out == "Deadline reminders sent: 0\n"


def test_serve_help_shows_the_bind_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["nurture", "serve", "--help"])

    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "--host" in out
    assert "--port" in out
    assert "--dev" in out


def test_serve_runs_gunicorn_with_two_workers_on_the_bind_address():
    argv = gunicorn_argv(host="127.0.0.1", port=8000)

    assert argv[1:4] == ["-m", "gunicorn", "nurture.wsgi:application"]
    assert argv[argv.index("--workers") + 1] == "2"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8000"
    assert gunicorn_argv(host="::1", port=9000)[argv.index("--bind") + 1] == "[::1]:9000"
