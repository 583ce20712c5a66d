from storywatch.cli import main

# Guarded: extraction worker processes are spawned, and re-import the main module.
if __name__ == "__main__":
    main()
