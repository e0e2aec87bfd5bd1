from wmill import task_script, workflow


@workflow
async def main(n: int = 4):
    data = await task_script("./extract.py")(n=n)
    return await task_script("./transform.py")(data=data)
