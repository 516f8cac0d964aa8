"""The end-to-end harness: Wakala's services as separate processes, driven by simulated shoppers.

    procs       child processes: start with a log file, wait until ready, stop, kill, measure
    cluster     gateway, workers, senders, actions, NLU and the Graph API fake, each a process
    graph_sink  the Graph API fake as a process, streaming every send to the harness
    script      the shopping conversation: what the shopper does, what the bot must answer
    shoppers    signed webhooks in, the fake's stream out: one turn at a time per shopper
    load        closed-loop load (concurrent conversations with think time) and its figures
    usage       CPU and memory per service (psutil), and the pipeline's own timings (/metrics)
    stock_rasa  a stock Rasa 3.6 stack holding the same conversation, for comparison
    run         `python bench/e2e/run.py`: the benchmark (docs/performance.md)

tests/chaos drives the same cluster on private PostgreSQL, Redis and RabbitMQ instances.
"""
