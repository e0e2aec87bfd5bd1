from wmill import sleep, task, workflow


@task
async def send_reminder(email: str):
    print(f"Reminder sent to {email}")


@workflow
async def main(email: str = "ops@example.com"):
    await send_reminder(email)
    await sleep(2)
    await send_reminder(email)
    return "done"
