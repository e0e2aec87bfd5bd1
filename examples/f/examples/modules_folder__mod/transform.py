def main(data: list):
    return {"count": len(data), "items": data}
