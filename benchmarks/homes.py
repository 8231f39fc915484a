"""Homes that look like real ones for the month benchmark: devices of one product repeat.

A real home holds a few products many times (plugs, bulbs, sensors bought in packs) and many
products once; product sizes here fall off as 1/rank. Some products are Zigbee sub-devices,
one is a sleeping battery sensor, one has an MCU channel, and the two largest have some
devices still on an older version, so that a product can be two groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from tuya_sim import SimDevice, SimFirmware, SimHome, SimMember, TuyaCloudSimulator
from tuya_sim.scenarios import DEMO_UID, LARGE_HOME_ID

CURRENT, OLDER = "1.0.0", "0.9.0"


@dataclass(frozen=True)
class Product:
    """One product of the home and how many of it there are."""

    product_id: str
    name: str
    count: int
    sub: bool
    low_power: bool
    mcu: bool


def product_sizes(devices: int, products: int) -> list[int]:
    """``devices`` shared among ``products`` as 1/rank, each at least one (largest remainder)."""
    if not 0 < products <= devices:
        raise ValueError("need at least one device per product")
    weights = [1 / (rank + 1) for rank in range(products)]
    spare = devices - products
    shares = [spare * weight / sum(weights) for weight in weights]
    sizes = [1 + int(share) for share in shares]
    by_remainder = sorted(range(products), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_remainder[: devices - sum(sizes)]:
        sizes[index] += 1
    return sizes


def home_products(devices: int, products: int) -> list[Product]:
    """The products of a home of ``devices`` devices."""
    return [
        Product(
            product_id=f"bench{rank:03d}prod",
            name=f"Product {rank + 1}",
            count=count,
            sub=rank % 4 == 1,
            low_power=rank == 2,
            mcu=rank == 3,
        )
        for rank, count in enumerate(product_sizes(devices, products))
    ]


def build_realistic(sim: TuyaCloudSimulator, devices: int, products: int) -> list[Product]:
    """The large home's id and owner, ``devices`` devices of ``products`` products."""
    sim.add_home(
        SimHome(
            home_id=LARGE_HOME_ID,
            name="Large Home",
            members=[SimMember(uid=DEMO_UID, name="Demo Owner", owner=True)],
        )
    )
    catalogue = home_products(devices, products)
    index = 0
    for rank, product in enumerate(catalogue):
        for copy in range(product.count):
            # The two largest products: every third device is still on the older version.
            version = OLDER if rank < 2 and copy % 3 == 2 else CURRENT
            channels = [
                SimFirmware(
                    channel=3 if product.sub else 0,
                    current_version=version,
                    low_power=product.low_power,
                    wake_after_s=30.0 if product.low_power else 0.0,
                )
            ]
            if product.mcu:
                channels.append(SimFirmware(channel=9, current_version=CURRENT))
            sim.add_device(
                LARGE_HOME_ID,
                SimDevice(
                    device_id=f"bf{index:018d}",
                    name=f"{product.name} #{copy + 1}",
                    sub=product.sub,
                    product_id=product.product_id,
                    product_name=product.name,
                    firmware=channels,
                ),
            )
            index += 1
    return catalogue
