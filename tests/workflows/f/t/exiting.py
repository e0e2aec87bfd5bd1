import sys

from wmill import task, workflow


@task
async def leave():
    print("leaving")
    sys.exit(3)


@workflow
async def main():
    return await leave()
