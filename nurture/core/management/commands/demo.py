from django.core.management.base import BaseCommand, CommandError

from nurture.core import demo


class Command(BaseCommand):
    help = "Load the fictional demo programme (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        try:
            result = demo.demo_load()
        except LookupError as exc:
            raise CommandError(f"{exc} Run `nurture migrate` first.") from exc
        self.stdout.write(self.style.WARNING(demo.DEMO_NOTICE))
        if result.total:
            parts = ", ".join(f"{n} {what}" for what, n in sorted(result.created.items()))
            self.stdout.write(f"Demo programme loaded: {parts}.")
        else:
            self.stdout.write("Demo programme already loaded; nothing changed.")
        write_logins(self.stdout, demo.demo_logins())


def write_logins(stdout, logins: list[tuple[str, str, str]]) -> None:
    if not logins:
        return
    stdout.write("Demo logins (one per role; every demo account of a role shares its password):")
    # Staff roles sign in with a two-factor code too (`nurture demo` makes a new backup code).
    two_factor = demo.demo_two_factor()
    width = max(len(role) for role, _email, _password in logins)
    for role, email, password in logins:
        stdout.write(f"  {role:<{width}}  {email:<36} {password}")
        if email in two_factor:
            stdout.write(f"  {'':<{width}}  {two_factor[email]}")
