"""``python -m storywatch``: the command line."""

from storywatch.cli import main

if __name__ == "__main__":
    main()
