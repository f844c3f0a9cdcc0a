"""Demo news: a few regions and the whole country, in one, two or three languages (to show the fallback)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from .. import clock
from ..campaigns.demo import current_year
from ..extensions import db
from ..seeding import demo_loader
from .markdown import render_markdown
from .models import News

UTC = dt.timezone.utc

# slug, region, published (UTC; the year is replaced by the demo's campaign year), {lang: (title, summary, body in Markdown)}
DEMO_NEWS = [
    ("demo-campaign-started", None, dt.datetime(2023, 8, 1, 4, 0, tzinfo=UTC), {
        "kk": ("«Мектепке жол» республикалық акциясы басталды",
               "1 тамыз бен 30 қыркүйек аралығында аз қамтылған және көп балалы отбасылардың балаларына мектепке дайындалуға көмек көрсетіледі.",
               "Акция **1 тамыздан 30 қыркүйекке дейін** өтеді. Биылғы ұран — «Жақсылықты жаса».\n\n"
               "Көмек мектеп формасы, аяқ киім, рюкзак, кеңсе тауарлары және ақшалай қаражат түрінде беріледі. "
               "Өз өңіріңіздегі жедел желіге немесе 111 нөміріне хабарласыңыз."),
        "ru": ("Стартовала республиканская акция «Дорога в школу»",
               "С 1 августа по 30 сентября детям из малообеспеченных и многодетных семей помогут подготовиться к школе.",
               "Акция проходит **с 1 августа по 30 сентября**. Девиз этого года — «Делай добро».\n\n"
               "Помощь оказывается школьной формой, обувью, рюкзаками, канцтоварами и деньгами. "
               "Обращайтесь на горячую линию своего региона или по номеру 111."),
        "en": ("The national Road to School campaign has begun",
               "From 1 August to 30 September, children from low-income and large families get help to prepare for school.",
               "The campaign runs **from 1 August to 30 September**. This year's slogan is \"Do good\".\n\n"
               "Help comes as school uniforms, shoes, backpacks, stationery and money. "
               "Call your region's hotline or the 111 line."),
    }),
    ("demo-astana-fair-announced", "KZ-71", dt.datetime(2023, 8, 3, 5, 0, tzinfo=UTC), {
        "kk": ("Астанада мектеп жәрмеңкесі 22–23 тамызда өтеді",
               "Қала әкімдігінің алдындағы орталық алаңда 20 сауда шатыры жұмыс істейді.",
               "Жәрмеңкеде оқулықтар, кеңсе тауарлары, мектеп формасы мен спорттық киім сатылады.\n\n"
               "Балаларға арналған ойын алаңы мен құқықтық мәселелер бойынша қоғамдық қабылдау бөлмесі жұмыс істейді."),
        "ru": ("В Астане школьная ярмарка пройдёт 22–23 августа",
               "На центральной площади перед акиматом города будут работать 20 торговых палаток.",
               "На ярмарке продают учебники, канцтовары, школьную форму и спортивную одежду.\n\n"
               "Для детей откроют игровую площадку, для родителей — общественную приёмную по правовым и школьным вопросам."),
    }),
    ("demo-turkistan-mobile-shop", "KZ-61", dt.datetime(2023, 8, 7, 6, 0, tzinfo=UTC), {
        "kk": ("Түркістан облысында автодүкен шалғай ауылдарды аралайды",
               "Мектеп тауарларын төмен бағамен сататын көшпелі дүкен Келес ауданының шалғай ауылдарына барады.",
               "Автодүкен әр ауылда бір күн тұрады. Кесте порталдағы жәрмеңкелер күнтізбесінде жарияланған.\n\n"
               "Бағалар нарықтағыдан 5–10 пайызға төмен."),
    }),
    ("demo-aktau-hotline", "KZ-47", dt.datetime(2023, 8, 8, 5, 0, tzinfo=UTC), {
        "ru": ("В Актау заработала горячая линия акции",
               "Управление образования Мангистауской области принимает звонки по будням с 9:00 до 18:00.",
               "Родители могут узнать, как получить помощь к школе, а также сообщить о ребёнке, который не ходит в школу.\n\n"
               "Звонки на линию 111 принимаются круглосуточно."),
    }),
    ("demo-line-111", None, dt.datetime(2023, 8, 9, 4, 0, tzinfo=UTC), {
        "ru": ("Сообщить о ребёнке, который не ходит в школу, можно по номеру 111",
               "Контакт-центр 111 работает круглосуточно и бесплатно.",
               "Если вы знаете семью, которой нужна помощь, или ребёнка, который не ходит в школу, позвоните 111. "
               "Можно не называть себя."),
        "en": ("Report a child who is not at school: call 111",
               "The 111 contact centre is free and works round the clock.",
               "If you know a family that needs help, or a child who is not at school, call 111. "
               "You do not have to give your name."),
    }),
    ("demo-aktobe-saturday-fairs", "KZ-15", dt.datetime(2023, 8, 10, 5, 0, tzinfo=UTC), {
        "kk": ("Ақтөбеде мектеп жәрмеңкелері сенбі сайын өтеді",
               "Тамыздың төрт сенбісінде үш алаңда, сағат 10:00 – 14:00 аралығында.",
               "Сатушылар жалға ақы төлемейтіндіктен, бағалар нарықтағыдан 10–15 пайызға төмен."),
        "ru": ("В Актобе школьные ярмарки проходят по субботам",
               "Четыре субботы августа, на трёх площадках, с 10:00 до 14:00.",
               "Продавцы не платят за аренду, поэтому цены на 10–15 процентов ниже рыночных."),
        "en": ("School fairs in Aktobe every Saturday",
               "Four Saturdays in August, at three sites, from 10:00 to 14:00.",
               "Sellers pay no rent, so prices are 10–15 per cent below the market."),
    }),
    ("demo-almaty-backpacks", "KZ-75", dt.datetime(2023, 8, 12, 6, 0, tzinfo=UTC), {
        "en": ("Almaty volunteers collect backpacks for first-graders",
               "A charity event on 26 August invites everyone to fill a backpack for a first-grader.",
               "Bring a new backpack with stationery, or give money to the organisers on the spot.\n\n"
               "Every donation is recorded and reported."),
    }),
    ("demo-oral-discounts", "KZ-27", dt.datetime(2023, 8, 14, 5, 0, tzinfo=UTC), {
        "ru": ("В Уральске продавцы дают скидки многодетным семьям",
               "На школьной ярмарке многодетным семьям предлагают скидки 15–20 процентов.",
               "Скидку дают при предъявлении удостоверения многодетной семьи."),
        "kk": ("Оралда сатушылар көп балалы отбасыларға жеңілдік береді",
               "Мектеп жәрмеңкесінде көп балалы отбасыларға 15–20 пайыз жеңілдік ұсынылады.",
               "Жеңілдік көп балалы отбасы куәлігін көрсеткенде беріледі."),
    }),
]


def _this_season(written: dt.datetime) -> dt.datetime:
    """The row's month, day and hour in the demo's current campaign year, or a year earlier if that is still to come."""
    moved = written.replace(year=current_year())
    return moved if moved <= clock.now() else moved.replace(year=current_year() - 1)


@demo_loader
def load_demo_news() -> int:
    """Add the demo articles that are not there yet (by slug)."""
    have = set(db.session.scalars(sa.select(News.slug).where(News.slug.in_([row[0] for row in DEMO_NEWS]))))
    added = 0
    for slug, region, published_at, texts in DEMO_NEWS:
        if slug in have:
            continue
        published_at = _this_season(published_at)
        news = News(slug=slug, region_code=region, status="published", published_at=published_at, is_demo=True,
                    created_at=published_at, updated_at=published_at)
        for lang, (title, summary, body) in texts.items():
            setattr(news, f"title_{lang}", title)
            setattr(news, f"summary_{lang}", summary)
            setattr(news, f"body_{lang}", body)
            setattr(news, f"body_html_{lang}", render_markdown(body))
        db.session.add(news)
        added += 1
    return added
