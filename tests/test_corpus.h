// Where the tests find the shared capture corpus: $UNDERHOOD_CORPUS_DIR when
// set, else the corpus folder of ../shared beside the checkout. Tests that
// need it skip (and say so) when it is absent.
#pragma once

#include <QString>
#include <QtGlobal>

inline QString corpusDir()
{
    const QString env = qEnvironmentVariable("UNDERHOOD_CORPUS_DIR");
    return env.isEmpty() ? QStringLiteral(UNDERHOOD_SHARED_DIR "/corpus") : env;
}
