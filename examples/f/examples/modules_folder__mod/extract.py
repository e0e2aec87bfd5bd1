def main(n: int):
    return [{"id": i} for i in range(n)]
