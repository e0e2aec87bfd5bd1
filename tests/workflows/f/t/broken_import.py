from wmill import workflow, not_a_wac_name  # wac: ignore


@workflow
async def main():
    return 1
