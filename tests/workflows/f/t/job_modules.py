import sys

from wmill import task, workflow

CLI = ("click", "rich", "typer")


def loaded():
    return [name for name in CLI if name in sys.modules]


@task
async def in_task():
    return loaded()


@workflow
async def main():
    return {"workflow": loaded(), "task": await in_task()}
