// RequestMailbox: of each kind of request only the newest waiting one is served, kinds do
// not displace each other, and taking empties the mailbox.

#include "controller/requestmailbox.h"

#include <QtTest>

#include <thread>

using aes::RequestMailbox;

class TestRequestMailbox final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyUntilPosted();
    void newestOfEachKindWins();
    void kindsAreKeptSideBySide();
    void postsFromAnotherThreadArrive();
};

void TestRequestMailbox::emptyUntilPosted()
{
    RequestMailbox mailbox;
    QVERIFY(!mailbox.hasRequests());
    const aes::LatentRequests none = mailbox.take();
    QVERIFY(!none.image && !none.map && !none.decode && !none.interpolation && !none.traversal);
    mailbox.postImage(3);
    QVERIFY(mailbox.hasRequests());
    QCOMPARE(*mailbox.take().image, qint64(3));
    QVERIFY(!mailbox.hasRequests());
    QVERIFY(!mailbox.take().image);  // taken once
}

void TestRequestMailbox::newestOfEachKindWins()
{
    RequestMailbox mailbox;
    mailbox.post(aes::DecodeRequest{1.0, 2.0});
    mailbox.post(aes::DecodeRequest{3.0, 4.0});
    mailbox.post(aes::MapRequest{aes::ProjectionMethod::Pca, 0, 1, {}});
    mailbox.post(aes::MapRequest{aes::ProjectionMethod::Dims, 2, 3, {}});
    const aes::LatentRequests r = mailbox.take();
    QVERIFY(r.decode);
    QCOMPARE(r.decode->x, 3.0);
    QCOMPARE(r.decode->y, 4.0);
    QVERIFY(r.map);
    QVERIFY(r.map->method == aes::ProjectionMethod::Dims);
    QCOMPARE(r.map->dimX, 2);
    QCOMPARE(r.map->dimY, 3);
}

void TestRequestMailbox::kindsAreKeptSideBySide()
{
    RequestMailbox mailbox;
    mailbox.post(aes::InterpolationRequest{0, 5, 8});
    mailbox.post(aes::TraversalRequest{QRectF(0, 0, 2, 1), 4, 3});
    mailbox.postImage(7);
    const aes::LatentRequests r = mailbox.take();
    QVERIFY(r.interpolation && r.traversal && r.image);
    QCOMPARE(r.interpolation->to, qint64(5));
    QCOMPARE(r.interpolation->steps, 8);
    QCOMPARE(r.traversal->region, QRectF(0, 0, 2, 1));
    QCOMPARE(r.traversal->columns, 4);
    QCOMPARE(*r.image, qint64(7));
    QVERIFY(!r.map && !r.decode);
}

void TestRequestMailbox::postsFromAnotherThreadArrive()
{
    RequestMailbox mailbox;
    std::thread poster([&mailbox] {
        for (int i = 0; i < 1000; ++i)
            mailbox.post(aes::DecodeRequest{double(i), 0.0});
    });
    double newest = -1.0;
    while (newest < 999.0) {
        if (const aes::LatentRequests r = mailbox.take(); r.decode) {
            QVERIFY(r.decode->x > newest);  // never an older one after a newer
            newest = r.decode->x;
        }
    }
    poster.join();
    QVERIFY(!mailbox.hasRequests());
}

QTEST_GUILESS_MAIN(TestRequestMailbox)
#include "tst_requestmailbox.moc"
