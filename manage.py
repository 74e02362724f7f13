#!/usr/bin/env python
from sauti.__main__ import main

if __name__ == "__main__":
    main()
