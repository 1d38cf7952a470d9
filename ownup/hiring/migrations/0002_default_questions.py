from django.db import migrations

QUESTIONS = [
    ("mistakes", "Tell me about a mistake you made at work that reached someone else. What happened?",
     "A real mistake with consequences, told in the first person, with specifics."),
    ("mistakes", "When did you realise it, and who did you tell first? How long did that take?",
     "Telling early, before being found out; naming the delay honestly if there was one."),
    ("mistakes", "What did you do in the first hour to stop the harm?",
     "A quick, reversible containment; asking for help rather than hiding it."),
    ("mistakes", "Why did it happen, and why did nobody catch it earlier?",
     "Causes in the system as well as in themselves; no blaming of others."),
    ("mistakes", "What changed afterwards, and how do you know the change worked?",
     "A lasting fix, checked over time, not just 'I am more careful now'."),
    ("weaknesses", "What is something you are not yet good at that this role needs?",
     "A real gap for this job, not a disguised strength."),
    ("weaknesses", "What feedback have you received more than once?",
     "Recognising a pattern and what they did with it."),
    ("weaknesses", "Tell me about a time you were sure you were right and were wrong.",
     "Changing their mind on evidence; crediting who showed them."),
    ("growth", "What do you most need to improve in the next year, and how will you do it?",
     "A concrete plan with practice and feedback, not a wish."),
    ("growth", "Who has taught you the most about doing your work well, and what did they teach?",
     "Learning from others; specifics."),
    ("growth", "How would your last manager describe the way you handle your own mistakes?",
     "Consistency with the stories above."),
]


def seed(apps, schema_editor):
    Question = apps.get_model("hiring", "Question")
    if Question.objects.exists():
        return
    for position, (topic, text, listen_for) in enumerate(QUESTIONS):
        Question.objects.create(topic=topic, text=text, listen_for=listen_for, position=position)


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name="Hiring team")


class Migration(migrations.Migration):
    dependencies = [("hiring", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(create_group, migrations.RunPython.noop),
    ]
