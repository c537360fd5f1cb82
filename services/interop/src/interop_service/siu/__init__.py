"""The HL7 v2 half: SIU messages built from scheduling's events, delivered over MLLP and Kafka."""
