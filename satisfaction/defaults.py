"""Defaults of the customer satisfaction survey form (NH-QP14 4.7.3, annex table 1).

Each campaign copies these and may change them; the blank form prints them as they are here.
"""

from django.utils.translation import gettext_lazy as _

# key, Chinese label, English label
DEFAULT_ASPECTS = [
    ("quality", "产品质量", "Product quality"),
    ("delivery", "交货准时性", "Delivery punctuality"),
    ("price", "价格", "Price"),
    ("attitude", "服务态度", "Service attitude"),
    ("technical", "技术支持", "Technical support"),
    ("complaints", "投诉处理", "Complaint handling"),
    ("communication", "沟通与响应", "Communication and responsiveness"),
    ("packaging", "包装", "Packaging"),
]

# key, Chinese label, English label, default points out of 100 (best first)
DEFAULT_TICKS = [
    ("very_satisfied", "很满意", "Very satisfied", 100),
    ("fairly_satisfied", "比较满意", "Fairly satisfied", 85),
    ("satisfied", "满意", "Satisfied", 70),
    ("not_very_satisfied", "不太满意", "Not very satisfied", 50),
    ("very_dissatisfied", "很不满意", "Very dissatisfied", 20),
]

GREETING_ZH = "尊敬的客户：感谢您一直以来对我司的支持！为了不断改进我们的产品和服务，请您在每一行对应的栏内打“√”，填写后签名并寄回（或传真、电邮）给我司。谢谢！"
GREETING_EN = (
    "Dear customer, thank you for your continued support. To help us improve our products and service, "
    "please tick “√” in one box of each row, sign the form and return it to us by post, fax or e-mail. Thank you!"
)

# The greeting of the online form behind a customer's link and of the e-mail that brings the link: the
# campaign's greeting above is the paper form's ("sign and return by post or fax").
ONLINE_GREETING = _(
    "Dear customer, thank you for your continued support. To help us improve our products and service, "
    "please choose one answer in each row below and send the form; it takes about three minutes. Thank you!"
)

TICK_HELP = _("Tick one box in each row.")
