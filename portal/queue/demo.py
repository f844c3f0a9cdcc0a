"""Standard reply templates for demo runs (labelled nowhere as data: they are texts staff adapt)."""

import sqlalchemy as sa

from ..extensions import db
from ..seeding import demo_loader
from .models import ReplyTemplate

TEMPLATES = {
    "received": {
        "kk": ("Хабарлама алынды", "Хабарламаңыз үшін рақмет. Біз оны алдық және тексеріп жатырмыз. Нәтижесін осы түбіртек коды арқылы көре аласыз."),
        "ru": ("Обращение получено", "Спасибо за обращение. Мы его получили и проверяем. Результат вы увидите по этому же коду квитанции."),
        "en": ("Appeal received", "Thank you for your appeal. We have received it and are looking into it. You will see the outcome with the same receipt code."),
    },
    "passed-on": {
        "kk": ("Білім бөліміне жіберілді", "Хабарламаңызды аудандық білім бөліміне жібердік. Олар тексеріп, бізге жауап береді. Жаңалық болғанда осында жазамыз."),
        "ru": ("Передано в отдел образования", "Мы передали ваше обращение в районный отдел образования. Они проверят его и ответят нам. Когда будут новости, мы напишем здесь."),
        "en": ("Passed to the education department", "We have passed your appeal to the district education department. They will check it and answer us. We will write here when there is news."),
    },
    "details": {
        "kk": ("Толығырақ жазыңыз", "Тексеру үшін бізге көбірек мәлімет керек: елді мекен, мектеп және не болғаны. Адамдардың аты-жөнін және телефон нөмірлерін жазбаңыз."),
        "ru": ("Нужны подробности", "Чтобы проверить, нам нужно больше сведений: населённый пункт, школа и что именно произошло. Не пишите имена и телефоны людей."),
        "en": ("Please add details", "To look into it we need more details: the settlement, the school and what happened. Please do not write people's names or phone numbers."),
    },
}


@demo_loader
def load_reply_templates() -> int:
    existing = {(key, language) for key, language in db.session.execute(sa.select(ReplyTemplate.key, ReplyTemplate.language))}
    added = 0
    for key, versions in TEMPLATES.items():
        for language, (title, body) in versions.items():
            if (key, language) not in existing:
                db.session.add(ReplyTemplate(key=key, language=language, title=title, body=body))
                added += 1
    return added
