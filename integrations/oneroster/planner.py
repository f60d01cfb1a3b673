"""The dry run: what a OneRoster zip would change here, as a plan the admin reviews and confirms.

Mapping (docs/provisioning.md has the long form):
- users (role student or teacher; other roles are skipped and listed) → people. Matched by the
  sourcedId link from an earlier import, else by email; sourcedId is linked on apply.
  enabledUser=false or status=tobedeleted → deactivated (sessions ended). A bulk users file
  deactivates people linked by an earlier import who are no longer in it; nobody else.
- A OneRoster course is offered per term, and our Course carries one term, so our Course is the
  pair (course sourcedId, the class's first term sourcedId): "English 10" in Autumn and in Spring
  are two of our courses. The course's title and courseCode and the term's title fill it.
- classes → Sections of that Course (named by the class title, made unique with the classCode).
- enrollments: student → Enrolment in the class's course and section; teacher → the course's
  teachers. Removals (tobedeleted, or missing from a bulk file) only touch what an import made.
- Admin roles are never changed by an import; such rows are listed as skipped.
The plan is plain JSON (stored on the job) and has a fingerprint: apply re-plans and refuses to go
on if the result differs from what the admin confirmed (someone changed things in between).
"""

import hashlib
import json
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.models import ADMIN_ROLES, Role, User
from coursework.models import Course, Enrolment, Section
from integrations.oneroster.csvzip import Roster
from integrations.oneroster.models import RosterLink

ROLES = {"student": Role.STUDENT, "teacher": Role.TEACHER}
SHOWN = 50  # rows of each list the review page shows


@dataclass
class Plan:
    mode: str = ""
    people_create: list = field(default_factory=list)
    people_update: list = field(default_factory=list)
    people_deactivate: list = field(default_factory=list)
    courses_create: list = field(default_factory=list)
    courses_update: list = field(default_factory=list)
    courses_archive: list = field(default_factory=list)
    sections_create: list = field(default_factory=list)
    sections_rename: list = field(default_factory=list)
    enrol: list = field(default_factory=list)
    unenrol: list = field(default_factory=list)
    links: list = field(default_factory=list)  # [kind, sourcedId, our ref, detail]
    skipped: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    CHANGE_LISTS = ["people_create", "people_update", "people_deactivate", "courses_create", "courses_update",
                    "courses_archive", "sections_create", "sections_rename", "enrol", "unenrol"]

    def as_json(self):
        data = asdict(self)
        data["counts"] = {name: len(getattr(self, name)) for name in [*self.CHANGE_LISTS, "skipped", "errors"]}
        data["fingerprint"] = self.fingerprint()
        return data

    def fingerprint(self):
        changes = {name: getattr(self, name) for name in [*self.CHANGE_LISTS, "links"]}
        return hashlib.sha256(json.dumps(changes, sort_keys=True, default=str).encode()).hexdigest()

    @property
    def has_changes(self):
        return any(getattr(self, name) for name in self.CHANGE_LISTS) or bool(self.links)


def _flag(value, row, plan, name="enabledUser"):
    text = value.strip().lower()
    if text in {"", "true", "1", "yes"}:
        return True
    if text in {"false", "0", "no"}:
        return False
    plan.errors.append(_err(row, f"{name} must be true or false, not {value!r}."))
    return None


def _err(row, message):
    return {"file": f"{row.file}.csv", "line": row.line, "message": message}


def _skip(row, reason):
    return {"file": f"{row.file}.csv", "line": row.line, "reason": reason}


class Planner:
    def __init__(self, roster: Roster):
        self.roster = roster
        self.plan = Plan(mode=roster.mode, errors=list(roster.errors))
        self.links = {kind: {} for kind in RosterLink.Kind.values}
        for link in RosterLink.objects.all():
            self.links[link.kind][link.sourced_id] = link

    def rows(self, name):
        rows, seen = [], set()
        for row in self.roster.rows.get(name, []):
            if not row.sourced_id and name != "roles":
                self.plan.errors.append(_err(row, "sourcedId is empty."))
                continue
            if name != "roles" and row.sourced_id in seen:
                self.plan.errors.append(_err(row, f"sourcedId {row.sourced_id} appears twice."))
                continue
            if row.status not in {"", "active", "tobedeleted"}:
                self.plan.errors.append(_err(row, f"status must be active or tobedeleted, not {row.status!r}."))
                continue
            seen.add(row.sourced_id)
            rows.append(row)
        return rows

    def bulk(self, name):
        return self.roster.modes.get(name) == "bulk"

    def run(self):
        if self.roster.mode == "mixed":
            self.plan.errors.append({"file": "manifest.csv", "line": 1,
                                     "message": "Mixing bulk and delta files in one zip is not supported."})
        self.people = {u.pk: u for u in User.objects.all()}
        self.by_email = {u.email.lower(): u for u in self.people.values()}
        self.plan_people()
        self.plan_courses_and_sections()
        self.plan_enrolments()
        return self.plan

    # --- People -------------------------------------------------------------------------------

    def _roles_from_roles_file(self):
        roles = {}
        for row in self.rows("roles"):
            if row.get("roleType").lower() == "primary" and row.status != "tobedeleted":
                roles[row.get("userSourcedId")] = row.get("role").lower()
        return roles

    def plan_people(self):
        plan = self.plan
        self.user_refs = {}  # sourcedId -> pk or "new:<sid>"
        self.user_roles = {}  # sourcedId -> our role (for enrolment checks)
        self.skipped_users = set()
        self.failed_users = set()
        errors_before = len(plan.errors)
        primary_roles = self._roles_from_roles_file()
        new_emails = {}
        in_file = set()
        previous = None
        for row in self.rows("users"):
            if len(plan.errors) > errors_before:
                self.failed_users.add(previous)
                errors_before = len(plan.errors)
            sid = previous = row.sourced_id
            in_file.add(sid)
            link = self.links["user"].get(sid)
            person = self.people.get(link.object_id) if link else None
            if row.status == "tobedeleted":
                if person and person.is_active:
                    plan.people_deactivate.append({"sid": sid, "pk": person.pk, "email": person.email,
                                                   "reason": "tobedeleted"})
                continue
            role_name = (row.get("role") or primary_roles.get(sid, "")).lower()
            if role_name not in ROLES:
                plan.skipped.append(_skip(row, f"role {role_name or '(none)'} is not imported"))
                self.skipped_users.add(sid)
                continue
            email = row.get("email").lower()
            try:
                validate_email(email)
            except ValidationError:
                plan.errors.append(_err(row, f"email {row.get('email')!r} is not a valid address."))
                continue
            active = _flag(row.get("enabledUser"), row, plan)
            if active is None:
                continue
            full_name = " ".join(p for p in (row.get("givenName"), row.get("familyName")) if p)
            if not full_name:
                plan.errors.append(_err(row, "givenName and familyName are both empty."))
                continue
            number = row.get("identifier")[:50]
            if person is None:
                person = self.by_email.get(email)
                if person is not None and self._linked_elsewhere(person.pk, sid):
                    plan.errors.append(_err(row, f"{email} belongs to a person linked to another sourcedId."))
                    continue
            if person is None:
                if email in new_emails:
                    plan.errors.append(_err(row, f"{email} is also used on line {new_emails[email]}."))
                    continue
                new_emails[email] = row.line
                if not active:
                    plan.skipped.append(_skip(row, "a disabled user who does not exist here yet"))
                    self.skipped_users.add(sid)
                    continue
                plan.people_create.append({"sid": sid, "email": email, "full_name": full_name,
                                           "role": ROLES[role_name], "student_number": number})
                self.user_refs[sid] = f"new:{sid}"
                self.user_roles[sid] = ROLES[role_name]
                plan.links.append(["user", sid, f"new:{sid}", {}])
                continue
            self.user_refs[sid] = person.pk
            self.user_roles[sid] = person.role
            if not link or link.object_id != person.pk:
                plan.links.append(["user", sid, person.pk, {}])
            changes = {}
            if full_name != person.full_name:
                changes["full_name"] = [person.full_name, full_name]
            if number != person.student_number:
                changes["student_number"] = [person.student_number, number]
            if email != person.email:
                other = self.by_email.get(email)
                if other is not None and other.pk != person.pk:
                    plan.errors.append(_err(row, f"{email} already belongs to someone else here."))
                    continue
                changes["email"] = [person.email, email]
            if ROLES[role_name] != person.role:
                if person.role in ADMIN_ROLES:
                    plan.skipped.append(_skip(row, f"{person.email}'s admin role is kept (the file says {role_name})"))
                else:
                    changes["role"] = [person.role, ROLES[role_name]]
                    self.user_roles[sid] = ROLES[role_name]
            if active and not person.is_active:
                changes["is_active"] = [False, True]
            if changes:
                plan.people_update.append({"sid": sid, "pk": person.pk, "email": person.email, "changes": changes})
            if not active and person.is_active:
                plan.people_deactivate.append({"sid": sid, "pk": person.pk, "email": person.email,
                                               "reason": "enabledUser is false"})
        if len(plan.errors) > errors_before:
            self.failed_users.add(previous)
        if self.bulk("users"):
            for sid, link in self.links["user"].items():
                person = self.people.get(link.object_id)
                if sid not in in_file and person and person.is_active and person.role not in ADMIN_ROLES:
                    plan.people_deactivate.append({"sid": sid, "pk": person.pk, "email": person.email,
                                                   "reason": "not in the bulk file"})
        # People linked earlier but not in this (delta) file still count for enrolments.
        for sid, link in self.links["user"].items():
            if sid not in self.user_refs and link.object_id in self.people and sid not in in_file:
                self.user_refs[sid] = link.object_id
                self.user_roles[sid] = self.people[link.object_id].role

    def _linked_elsewhere(self, pk, sid):
        return any(link.object_id == pk and other != sid for other, link in self.links["user"].items())

    # --- Courses and sections -----------------------------------------------------------------

    def plan_courses_and_sections(self):
        plan = self.plan
        sessions = {row.sourced_id: row for row in self.rows("academicSessions")}
        courses = {row.sourced_id: row for row in self.rows("courses")}
        linked_courses = {c.pk: c for c in Course.objects.filter(
            pk__in=[link.object_id for link in self.links["course"].values()])}
        linked_sections = {s.pk: s for s in Section.objects.filter(
            pk__in=[link.object_id for link in self.links["class"].values()])}
        self.class_refs = {}  # class sourcedId -> (course key, section ref)
        self.course_refs = {}  # course key -> pk or "new:<key>"
        wanted = {}  # course key -> {"title", "term", "code"}
        deleted_courses = {sid for sid, row in courses.items() if row.status == "tobedeleted"}
        names = {}  # course key -> {section name}
        self.deleted_classes = set()
        in_file = set()
        for row in self.rows("classes"):
            sid = row.sourced_id
            in_file.add(sid)
            link = self.links["class"].get(sid)
            if row.status == "tobedeleted":
                self.deleted_classes.add(sid)
                continue
            course_sid = row.get("courseSourcedId")
            term_sid = (row.get("termSourcedIds").split(",")[0]).strip()
            key = f"{course_sid}|{term_sid}"
            existing = self._linked_course(key, linked_courses)
            course_row = courses.get(course_sid)
            if course_sid in deleted_courses:
                self.deleted_classes.add(sid)
                continue
            if course_row is None and existing is None and not self._course_known(course_sid, linked_courses):
                plan.errors.append(_err(row, f"courseSourcedId {course_sid or '(empty)'} is not in courses.csv."))
                continue
            title = course_row.get("title") if course_row else self._known_course(course_sid, linked_courses).title
            code = (course_row.get("courseCode") if course_row else (existing.code if existing else ""))[:50]
            term_row = sessions.get(term_sid) or (sessions.get(course_row.get("schoolYearSourcedId"))
                                                  if course_row else None)
            term = term_row.get("title") if term_row else (existing.term if existing else "")
            if not term:
                plan.errors.append(_err(row, f"term {term_sid or '(none)'} is not in academicSessions.csv."))
                continue
            if existing is not None and link is not None and linked_sections.get(link.object_id) \
                    and linked_sections[link.object_id].course_id != existing.pk:
                plan.errors.append(_err(row, "a class cannot move to another course or term; "
                                             "delete it and add a new one."))
                continue
            wanted.setdefault(key, {"title": title[:200], "term": term[:100], "code": code})
            name = row.get("title")[:100] or row.get("classCode")[:100] or sid[:100]
            taken = names.setdefault(key, set())
            if name.lower() in taken:
                name = f"{name} ({row.get('classCode') or sid})"[:100]
            taken.add(name.lower())
            section = linked_sections.get(link.object_id) if link else None
            if section is None:
                plan.sections_create.append({"sid": sid, "course": key, "name": name})
                self.class_refs[sid] = (key, f"new:{sid}")
                plan.links.append(["class", sid, f"new:{sid}", {}])
            else:
                if section.name != name:
                    plan.sections_rename.append({"sid": sid, "pk": section.pk, "old": section.name, "new": name})
                self.class_refs[sid] = (key, section.pk)
        for key, fields in wanted.items():
            existing = self._linked_course(key, linked_courses)
            if existing is None:
                plan.courses_create.append({"key": key, **fields})
                self.course_refs[key] = f"new:{key}"
                plan.links.append(["course", key, f"new:{key}", {}])
                continue
            self.course_refs[key] = existing.pk
            changes = {k: [getattr(existing, k), v] for k, v in fields.items() if getattr(existing, k) != v}
            if existing.archived_at is not None:
                changes["archived"] = [True, False]
            if changes:
                plan.courses_update.append({"key": key, "pk": existing.pk, "title": existing.title, "changes": changes})
        # Classes linked earlier and untouched by this file keep their place (deltas).
        for sid, link in self.links["class"].items():
            section = linked_sections.get(link.object_id)
            if sid in self.class_refs or section is None:
                continue
            if sid not in in_file and self.bulk("classes"):
                self.deleted_classes.add(sid)
                continue
            key = self._key_of_course(section.course_id)
            if key:
                self.class_refs.setdefault(sid, (key, section.pk))
                self.course_refs.setdefault(key, section.course_id)
        archive = set()
        for key, link in self.links["course"].items():
            course = linked_courses.get(link.object_id)
            if course is None or course.archived_at is not None or key in wanted:
                continue
            if key.split("|")[0] in deleted_courses or (self.bulk("classes") and key not in wanted):
                archive.add(key)
        for key in sorted(archive):
            course = linked_courses[self.links["course"][key].object_id]
            plan.courses_archive.append({"key": key, "pk": course.pk, "title": str(course)})

    def _linked_course(self, key, linked_courses):
        link = self.links["course"].get(key)
        return linked_courses.get(link.object_id) if link else None

    def _course_known(self, course_sid, linked_courses):
        return self._known_course(course_sid, linked_courses) is not None

    def _known_course(self, course_sid, linked_courses):
        for key, link in self.links["course"].items():
            if key.split("|")[0] == course_sid and link.object_id in linked_courses:
                return linked_courses[link.object_id]
        return None

    def _key_of_course(self, pk):
        for key, link in self.links["course"].items():
            if link.object_id == pk:
                return key
        return None

    # --- Enrolments ---------------------------------------------------------------------------

    def plan_enrolments(self):
        plan = self.plan
        course_pks = [ref for ref in self.course_refs.values() if isinstance(ref, int)]
        enrolled = {(e.course_id, e.student_id): e.section_id
                    for e in Enrolment.objects.filter(course_id__in=course_pks)}
        teaching = set(Course.teachers.through.objects.filter(course_id__in=course_pks)
                       .values_list("course_id", "user_id"))
        in_file, removed, kept = set(), [], {}
        placed = {}  # (course key, user sid) -> line, so one student sits in one class per course
        for row in self.rows("enrollments"):
            sid = row.sourced_id
            in_file.add(sid)
            if row.status == "tobedeleted":
                link = self.links["enrollment"].get(sid)
                if link:
                    removed.append((sid, link.detail))
                continue
            role = row.get("role").lower()
            class_sid, user_sid = row.get("classSourcedId"), row.get("userSourcedId")
            if role not in ROLES:
                plan.skipped.append(_skip(row, f"enrolment role {role or '(none)'} is not imported"))
                continue
            if class_sid in self.deleted_classes:
                continue
            if class_sid not in self.class_refs:
                plan.errors.append(_err(row, f"classSourcedId {class_sid or '(empty)'} is not a class here "
                                             "or in classes.csv."))
                continue
            if user_sid not in self.user_refs:
                if self._skipped_user(user_sid):
                    plan.skipped.append(_skip(row, f"user {user_sid} is not imported"))
                elif user_sid in self.failed_users:
                    plan.errors.append(_err(row, f"user {user_sid} has an error in users.csv."))
                else:
                    plan.errors.append(_err(row, f"userSourcedId {user_sid or '(empty)'} is not a person here "
                                                 "or in users.csv."))
                continue
            if self.user_roles[user_sid] in ADMIN_ROLES:
                plan.skipped.append(_skip(row, f"user {user_sid} has an admin account, which an import does not enrol"))
                continue
            if self.user_roles[user_sid] != ROLES[role]:
                plan.errors.append(_err(row, f"user {user_sid} is enrolled as a {role} but is not one."))
                continue
            key, section_ref = self.class_refs[class_sid]
            detail = {"class": class_sid, "user": user_sid, "role": role}
            kept[sid] = detail
            link = self.links["enrollment"].get(sid)
            if link is None or link.detail != detail:
                plan.links.append(["enrollment", sid, None, detail])
            if role == "student" and (key, user_sid) in placed:
                plan.skipped.append(_skip(row, f"user {user_sid} is already in another class of this course "
                                          f"(line {placed[key, user_sid]})"))
                continue
            placed[key, user_sid] = row.line
            course_ref, user_ref = self.course_refs[key], self.user_refs[user_sid]
            if role == "student":
                if enrolled.get((course_ref, user_ref), "none") == section_ref:
                    continue
            elif (course_ref, user_ref) in teaching:
                continue
            plan.enrol.append({"sid": sid, "course": key, "class": class_sid, "user": user_sid, "role": role,
                               "course_ref": course_ref, "section_ref": section_ref, "user_ref": user_ref})
        if self.bulk("enrollments"):
            removed += [(sid, link.detail) for sid, link in self.links["enrollment"].items() if sid not in in_file]
        removed += [(sid, link.detail) for sid, link in self.links["enrollment"].items()
                    if link.detail.get("class") in self.deleted_classes and sid not in kept]
        seen = set()
        still_teaching = {(self.class_refs.get(d["class"], (None,))[0], d["user"])
                          for d in kept.values() if d["role"] == "teacher"}
        for sid, detail in removed:
            if sid in seen or sid in kept:
                continue
            seen.add(sid)
            self._plan_removal(sid, detail, enrolled, teaching, still_teaching)

    def _plan_removal(self, sid, detail, enrolled, teaching, still_teaching):
        ref = self.class_refs.get(detail.get("class"))
        link = self.links["class"].get(detail.get("class"))
        user_ref = self.user_refs.get(detail.get("user"))
        if not isinstance(user_ref, int):
            return
        if ref is None and link is not None:
            section = Section.objects.filter(pk=link.object_id).only("pk", "course_id").first()
            ref = (self._key_of_course(section.course_id), section.pk) if section else None
        if ref is None:
            return
        key, section_ref = ref
        course_link = self.links["course"].get(key)
        course_ref = self.course_refs.get(key) or (course_link.object_id if course_link else None)
        if not isinstance(course_ref, int):
            return
        if detail.get("role") == "student":
            if enrolled.get((course_ref, user_ref)) != section_ref:
                return  # moved to another class of the course, or already gone
        elif (course_ref, user_ref) not in teaching or (key, detail.get("user")) in still_teaching:
            return
        self.plan.unenrol.append({"sid": sid, "course": key, "class": detail.get("class"), "user": detail.get("user"),
                                  "role": detail.get("role"), "course_ref": course_ref, "user_ref": user_ref})

    def _skipped_user(self, sid):
        return sid in self.skipped_users


def make_plan(roster):
    return Planner(roster).run()


def shown(plan_json, name):
    return plan_json.get(name, [])[:SHOWN]
