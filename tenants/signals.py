from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.directory import directory
from tenants.models import Domain, Institution


@receiver([post_save, post_delete], sender=Institution)
@receiver([post_save, post_delete], sender=Domain)
def forget_cached_hosts(sender, **kwargs):
    # Forget now (this process) and again after commit, so no request in between can re-cache
    # the row as it was before the transaction committed.
    directory.invalidate(everywhere=False)
    transaction.on_commit(directory.invalidate)
