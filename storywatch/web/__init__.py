"""`storywatch serve`: the stored history as web pages, a JSON API and Atom feeds.

Read-only over the same store as the CLI (:func:`storywatch.web.app.create_app`), built
on Starlette, served by uvicorn (:mod:`storywatch.web.server`). Imported only by `serve`
and `run --serve`, so no other command pays for the web stack.
"""
