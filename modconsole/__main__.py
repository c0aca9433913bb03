from modconsole.cli.main import run

run()
