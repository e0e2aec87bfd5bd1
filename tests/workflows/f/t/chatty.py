from wmill import task, workflow


@task
async def chatter(lines: int):
    for i in range(lines):
        print(f"line {i} " + "x" * 60)
    return lines


@workflow
async def main(lines: int = 20000):
    return await chatter(lines)
