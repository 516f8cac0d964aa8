"""Conversation tests: YAML conversations run through the whole pipeline, turn by turn.

    format      the YAML models (conversations, turns, expected replies) and their loader
    loading     reading YAML as written; errors with file, line and place
    shops       the shops fixture and its seeding through commerce functions
    suite       checks across files (shops exist, staff flags, one owner per number)
    harness     the running pipeline: `run_services` against an in-process Graph API fake
    scratch     a private database and namespace for one CLI run
    inbound     a turn's user action as a webhook message; taps looked up in what was shown
    completion  when a turn is over (processed by the worker, every reply sent)
    received    the Graph API bodies read back as designers think of them
    responses   which domain response, in which language, a reply's text is
    matching    expected replies against what the Graph API received
    runner      conversations, concurrently by sender, each strictly in order
    report      pass/fail lines, diffs and the bytes-per-turn report
    cli         `wakala test conversations`

See docs/conversation-tests.md.
"""
