print("lanscope")
