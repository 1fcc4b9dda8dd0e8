"""replica.sh's database router: reads from the hot standby ('replica'),
writes and migrations on the primary ('default').  The test points reads
at the primary while it writes its data (read_alias), as a project's
setup code would, since the standby replays the writes a moment later."""


class PrimaryReplicaRouter:
    read_alias = 'replica'

    def db_for_read(self, model, **hints):
        return type(self).read_alias

    def db_for_write(self, model, **hints):
        return 'default'

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == 'default'
