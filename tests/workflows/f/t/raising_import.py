from wmill import workflow

SETTINGS = {"a": 1}
LIMIT = SETTINGS["missing"]


@workflow
async def main():
    return LIMIT
