"""The customer register at volume (manage.py seed_volume): 2,000 customers at scale 1."""

from __future__ import annotations

from .models import Customer

CITIES = ["深圳", "东莞", "广州", "苏州", "宁波", "佛山", "天津", "重庆", "Stuttgart", "Osaka"]
TRADES = ["电子", "精密五金", "汽车部件", "塑胶制品", "机电", "医疗器械", "照明", "通讯设备"]


def seed(volume) -> None:
    count = volume.n(2000)
    rng = volume.rng
    rows = []
    taken = set(Customer.objects.values_list("code", flat=True))
    i = 0
    while len(rows) < count:
        i += 1
        code = f"V{i:05d}"
        if code in taken:
            continue
        city, trade = rng.choice(CITIES), rng.choice(TRADES)
        rows.append(
            {
                "code": code,
                "name_zh": f"{city}{trade}有限公司{i}",
                "name_en": f"{city} {trade} Co. {i}",
                "email": f"buyer{i}@customer.example",
                "contact_name": f"联系人{i}",
                "is_key_account": rng.random() < 0.1,
            }
        )
    volume.insert(Customer, rows)
    volume.customer_ids = [r["id"] for r in rows]
    volume.log(f"customers: {len(rows):,}")
