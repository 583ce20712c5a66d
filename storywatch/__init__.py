"""storywatch: watch news stories as they are edited and tell people which claims changed."""

__version__ = "0.1.0"
