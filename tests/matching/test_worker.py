import asyncio

from bot.matching import make_executor, run_round, run_round_in_worker

from .helpers import member, round_input


def test_worker_process_gives_the_same_result() -> None:
    ms = [
        member(
            i,
            topics={f"t{i % 4}"},
            timezone="Asia/Tokyo" if i % 3 else "Europe/London",
            role="mentor" if i % 7 == 0 else "either" if i % 5 == 0 else "peer",
            capacity=2,
        )
        for i in range(1, 60)
    ]
    inp = round_input(ms, seed=3, odd_one_out="trio", blocks=frozenset({(1, 2), (5, 9)}))
    expected = run_round(inp)

    async def main() -> tuple:
        own = await run_round_in_worker(inp)
        executor = make_executor()
        try:
            shared = await run_round_in_worker(inp, executor)
        finally:
            executor.shutdown()
        return own, shared

    own, shared = asyncio.run(main())
    assert own == expected
    assert shared == expected
    assert expected.pairs
