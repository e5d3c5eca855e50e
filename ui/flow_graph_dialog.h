// Statistics > Flow Graph: the ladder diagram of the packets shown (the
// display filter's, or all of them) or of one conversation, a click on an
// arrow selects its packet in the list and the list's selection follows
// here; export as PNG or SVG, and a larger font for a projector.
#pragma once

#include "flow_graph.h"

#include <QDialog>

#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QLabel;

namespace underhood {

class DisplayAnonymizer;
class FlowGraphView;
class IngestEngine;

class FlowGraphDialog : public QDialog {
    Q_OBJECT
public:
    enum class Scope { Displayed, All, Conversation };
    // `displayed` gives the display filter's matches (nullopt: no filter).
    FlowGraphDialog(const IngestEngine& engine, std::function<std::optional<std::vector<uint64_t>>()> displayed,
                    QWidget* parent = nullptr);

    // Limits the graph to the hosts of one conversation (two addresses as
    // the columns show them) and shows it.
    void showConversation(const std::string& a, const std::string& b);
    void setScope(Scope s);
    void rebuild();
    void setCurrentPacket(quint64 number);
    FlowGraphView* view() const { return view_; }
    // View > Anonymise (null: off): hosts, names and labels as the packet
    // list shows them (the anonymised file's packets); drawn again at once.
    void setAnonymizer(std::shared_ptr<DisplayAnonymizer> anonymizer);

signals:
    void packetClicked(quint64 number);

private:
    void exportGraph();
    void zoom(int steps);
    void anonymise(FlowGraph& g) const;
    void updateScopeText();

    const IngestEngine& engine_;
    std::function<std::optional<std::vector<uint64_t>>()> displayed_;
    std::vector<std::string> hosts_; // the conversation's, as captured
    std::shared_ptr<DisplayAnonymizer> anon_;
    QComboBox* scope_;
    QLabel* status_;
    FlowGraphView* view_;
};

} // namespace underhood
