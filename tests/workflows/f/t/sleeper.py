from wmill import sleep, step, workflow


@workflow
async def main(seconds: int = 2):
    before = await step("before", lambda: __import__("time").time())
    await sleep(seconds)
    after = await step("after", lambda: __import__("time").time())
    return round(after - before, 1)
