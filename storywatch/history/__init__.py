"""The history viewer's pure logic: claim timelines, phrase search, the story report.

Nothing here opens a database session; callers pass rows from
:mod:`storywatch.storage.queries`.
"""
