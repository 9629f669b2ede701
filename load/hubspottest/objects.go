package hubspottest

// The JSON shapes of CRM objects that every object type shares.

// simpleObject is the spec's SimplePublicObject (and …WithAssociations).
type simpleObject struct {
	ID                    string                          `json:"id"`
	Properties            map[string]string               `json:"properties"`
	PropertiesWithHistory map[string][]valueWithTimestamp `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                          `json:"createdAt"`
	UpdatedAt             string                          `json:"updatedAt"`
	Archived              bool                            `json:"archived"`
	ArchivedAt            string                          `json:"archivedAt,omitempty"`
	ObjectWriteTraceID    string                          `json:"objectWriteTraceId,omitempty"`
}

// upsertObject is the spec's SimplePublicUpsertObject.
type upsertObject struct {
	simpleObject
	New bool `json:"new"`
}

type valueWithTimestamp struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

// upsertInput is the spec's SimplePublicObjectBatchInputUpsert.
type upsertInput struct {
	ID                 string                  `json:"id"`
	IDProperty         string                  `json:"idProperty"`
	ObjectWriteTraceID string                  `json:"objectWriteTraceId"`
	Properties         map[string]scalarString `json:"properties"`
}

func (i upsertInput) trace() string      { return i.ObjectWriteTraceID }
func (i upsertInput) idProperty() string { return i.IDProperty }
