from decimal import Decimal

from satisfaction import selectors
from satisfaction.choices import Band
from satisfaction.demo import DEMO_TITLE, EARLIER_TITLE
from satisfaction.models import Campaign


def test_statistics_against_hand_computed_figures(demo, sent_campaign, answer_online):
    campaign = sent_campaign()
    rs = {r.customer.code: r for r in campaign.recipients.select_related("customer", "campaign")}
    # C001: all 很满意 → 100.0 very satisfied
    answer_online(rs["C001"], 0)
    # C002: quality 很不满意 20, delivery 不太满意 50, rest 满意 70 → (20+50+6*70)/8 = 61.25 → 61.3 satisfied
    answer_online(rs["C002"], [4, 3, 2, 2, 2, 2, 2, 2])
    # C003: all 不太满意 → 50.0 not very satisfied
    answer_online(rs["C003"], 3)
    # C004 does not answer
    stats = selectors.campaign_statistics(Campaign.objects.get(pk=campaign.pk))
    assert stats.sample_size == 4 and stats.response_count == 3
    assert stats.response_rate == Decimal("75.0")
    # mean of 100.0, 61.3, 50.0 = 70.433 → 70.4
    assert stats.mean_total == Decimal("70.4") and stats.mean_band == Band.SATISFIED
    assert stats.low_totals == 1
    by_key = {s.aspect.key: s for s in stats.aspects}
    # quality: 100, 20, 50 → 56.7; below 'satisfied': 2 of 3 → 66.7 %
    assert by_key["quality"].mean == Decimal("56.7")
    assert by_key["quality"].below_count == 2 and by_key["quality"].below_share == Decimal("66.7")
    # delivery: 100, 50, 50 → 66.7; 2 of 3 below
    assert by_key["delivery"].mean == Decimal("66.7") and by_key["delivery"].below_count == 2
    # price: 100, 70, 50 → 73.3; 1 of 3 below → 33.3 %
    assert by_key["price"].mean == Decimal("73.3") and by_key["price"].below_share == Decimal("33.3")
    bands = {b: n for b, _label, n, _share in stats.bands}
    assert bands == {
        Band.VERY_SATISFIED: 1,
        Band.FAIRLY_SATISFIED: 0,
        Band.SATISFIED: 1,
        Band.NOT_VERY_SATISFIED: 1,
        Band.VERY_DISSATISFIED: 0,
    }
    assert [r.recipient.customer.code for r in stats.responses] == ["C001", "C002", "C003"]
    assert [r.total for r in stats.responses] == [Decimal("100.0"), Decimal("61.3"), Decimal("50.0")]


def test_comparison_with_previous_campaign_and_trend(survey_demo, demo, sent_campaign, answer_online):
    demo_campaign = Campaign.objects.get(title=DEMO_TITLE)
    demo_stats = selectors.campaign_statistics(demo_campaign)
    # the demo answers by hand: C001 = (100+85+70+100+85+85+100+85)/8 = 88.75 → 88.8,
    # C002 = (70+50+50+70+70+50+70+20)/8 = 56.25 → 56.3, C003 = (85+85+70+85+100+85+85+85)/8 = 85.0,
    # C004 = (50+50+20+50+70+50+50+70)/8 = 51.25 → 51.3
    assert [r.total for r in demo_stats.responses] == [
        Decimal("88.8"),
        Decimal("56.3"),
        Decimal("85.0"),
        Decimal("51.3"),
    ]
    # mean (88.8 + 56.3 + 85.0 + 51.3) / 4 = 70.35 → 70.4
    assert demo_stats.mean_total == Decimal("70.4")
    campaign = sent_campaign()
    for r in campaign.recipients.select_related("campaign"):
        answer_online(r, 1)  # all 比较满意 → 85.0
    stats = selectors.campaign_statistics(Campaign.objects.get(pk=campaign.pk))
    assert stats.previous.pk == demo_campaign.pk
    assert stats.previous_mean_total == Decimal("70.4")
    assert stats.mean_change == Decimal("14.6")
    assert stats.previous_response_rate == Decimal("100.0")
    quality = next(s for s in stats.aspects if s.aspect.key == "quality")
    # demo quality: 100, 70, 85, 50 → 76.25 → 76.3
    assert quality.previous_mean == Decimal("76.3") and quality.change == Decimal("8.7")
    year = demo_campaign.sent_on.year
    # the 2024 demo: C001 = (85+85+70+85+85+70+85+85)/8 = 81.25 → 81.3, C002 = (70*6+50+50)/8 = 65.0,
    # C003 = (85+70+70+85+85+85+70+85)/8 = 79.375 → 79.4; mean (81.3+65.0+79.4)/3 = 75.23 → 75.2
    assert [t[:3] for t in stats.trend[:2]] == [(year - 1, Decimal("75.2"), 3), (year, Decimal("70.4"), 4)]
    assert selectors.campaign_statistics(demo_campaign).previous.title == EARLIER_TITLE
    assert stats.trend[-1][0] == campaign.sent_on.year and stats.trend[-1][1] == Decimal("85.0")


def test_home_warning_when_no_survey_in_12_months(demo, client_for, sent_campaign):
    campaign = sent_campaign()
    assert campaign.sent_on is not None
    page = client_for(demo["sales"]).get("/surveys/")
    assert b'id="no-recent-survey"' not in page.content
    Campaign.objects.filter(pk=campaign.pk).update(sent_on=campaign.sent_on.replace(year=campaign.sent_on.year - 2))
    Campaign.objects.filter(title=DEMO_TITLE).update(sent_on=campaign.sent_on.replace(year=campaign.sent_on.year - 2))
    page = client_for(demo["sales"]).get("/surveys/")
    assert b'id="no-recent-survey"' in page.content
    home = client_for(demo["sales"]).get("/")
    assert "home-warning" in home.content.decode()
    # not for a warehouse clerk
    assert "home-warning" not in client_for(demo["warehouse"]).get("/").content.decode()


def test_statistics_page_lists_customers_a_page_at_a_time_with_figures_over_all(
    demo, client_for, sent_campaign, answer_online, monkeypatch
):
    import re

    from satisfaction import views

    monkeypatch.setattr(views, "STATISTICS_PAGE", 2)
    campaign = sent_campaign()
    rs = {r.customer.code: r for r in campaign.recipients.select_related("customer", "campaign")}
    answer_online(rs["C001"], 0)  # 100.0
    answer_online(rs["C002"], 3)  # 50.0
    answer_online(rs["C003"], 3)  # 50.0
    client = client_for(demo["sales"])
    first = client.get(f"/surveys/{campaign.pk}/statistics/").content.decode()
    second = client.get(f"/surveys/{campaign.pk}/statistics/?page=2").content.decode()
    assert re.findall(r'data-customer="(\w+)"', first) == ["C001", "C002"]
    assert re.findall(r'data-customer="(\w+)"', second) == ["C003"]
    assert "Page 1 of 2" in first or "第 1 页" in first
    # The figures above the table count every answer, on every page: (100 + 50 + 50) / 3 = 66.7, 2 below 60.
    for html in (first, second):
        assert re.search(r'id="stat-mean">66\.7<', html)
        assert re.search(r'id="stat-low">2<', html)
    # A page past the end shows the last one; a page that is no number the first.
    assert re.findall(
        r'data-customer="(\w+)"', client.get(f"/surveys/{campaign.pk}/statistics/?page=9").content.decode()
    ) == ["C003"]
    assert re.findall(
        r'data-customer="(\w+)"', client.get(f"/surveys/{campaign.pk}/statistics/?page=x").content.decode()
    ) == ["C001", "C002"]
