"""A first workflow: preview it with `wac script preview f/examples/hello_workflow.py -d '{"name": "you"}'`."""

from wmill import step, task, workflow


@task
async def greet(name: str) -> str:
    print(f"greeting {name}")
    return f"Hello, {name}!"


@task
async def shout(text: str) -> str:
    return text.upper()


@workflow
async def main(name: str = "world"):
    greeting = await greet(name)
    loud = await shout(greeting)
    count = await step("length", lambda: len(loud))
    return {"greeting": greeting, "loud": loud, "length": count}
