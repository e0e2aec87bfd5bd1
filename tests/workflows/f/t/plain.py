def main(x: int = 2):
    print(f"plain script got {x}")
    return x * 3
