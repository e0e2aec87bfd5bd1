import asyncio

from wmill import task, workflow


@task
async def fetch_user(id: int):
    return {"id": id, "name": f"User {id}"}


@task
async def enrich_user(user: dict):
    return {**user, "enriched": True}


@workflow
async def main():
    user1, user2, user3 = await asyncio.gather(
        fetch_user(1),
        fetch_user(2),
        fetch_user(3),
    )
    e1, e2, e3 = await asyncio.gather(
        enrich_user(user1),
        enrich_user(user2),
        enrich_user(user3),
    )
    return [e1, e2, e3]
