"""Sam writing English 10's essay, with consent for AI assistance and the assistant switched on by Tara."""

from assist.actions import do_set_stage_assist
from privacy.actions import do_answer_consent
from privacy.models import Purpose
from tests.coursework.teacher.base import TeacherTestCase

ESSAY = (
    "Schools should start later because teenagers need more sleep. Sam Student thinks the research is clear.\n\n"
    "When the first class begins at half past seven, many students are still half asleep and remember little "
    "of what they hear. Attendance in first period is also lower, and grades in morning classes suffer.\n\n"
    "In conclusion, a later start is a cheap way to help students learn."
)
REFLECTION = ("I am trying to argue that school should start later, using research about sleep. I am stuck on "
              "how to answer people who worry about buses and sports, and my second paragraph feels weak to me.")


class AssistTestCase(TeacherTestCase):
    def setUp(self):
        super().setUp()
        self.sam = self.person("student")
        self.work = self.write(self.sam, ESSAY)
        self.stage = self.essay.stages.first()
        self.sam_client = self.signed_in_client("student")

    def consent(self, person=None, answer="accepted"):
        person = person or self.sam
        do_answer_consent(person, Purpose.AI_ASSISTANCE, answer, acting_user=person)

    def switch_on(self, *categories):
        do_set_stage_assist(self.stage, list(categories or ["brainstorm", "clarity", "grammar", "outline"]),
                            acting_user=self.person("teacher"))

    def panel(self):
        return self.sam_client.get(f"/write/{self.work.pk}/assistant/")

    def reflect(self, text=REFLECTION, **extra):
        return self.sam_client.post(f"/write/{self.work.pk}/assistant/reflect", {"reflection": text}, **extra)

    def ask(self, category, **extra):
        return self.sam_client.post(f"/write/{self.work.pk}/assistant/ask", {"category": category}, **extra)
