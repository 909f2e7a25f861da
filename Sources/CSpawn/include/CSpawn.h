#ifndef CROSSWALK_CSPAWN_H
#define CROSSWALK_CSPAWN_H
#include <spawn.h>

/// glibc's posix_spawn file actions that need _GNU_SOURCE, which Swift's Glibc module does not define.
int crosswalk_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
int crosswalk_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
