import time, asyncio
from datetime import timedelta
from homeassistant.helpers.event import async_call_later

async def test_dbg(hass, freezer):
    loop = hass.loop
    print("\nA", loop.time(), time.time(), time.monotonic())
    fired = []
    from homeassistant.core import callback
    async_call_later(hass, 5, callback(lambda now: fired.append((loop.time(), time.time()))))
    print("sched", [ (h.when(), h.cancelled()) for h in loop._scheduled])
    freezer.tick(timedelta(seconds=5.000001))
    print("B", loop.time(), time.time(), time.monotonic())
    await hass.async_block_till_done(wait_background_tasks=True)
    print("fired", fired)
    print("sched", [ (h.when(), h.cancelled(), h) for h in loop._scheduled])
